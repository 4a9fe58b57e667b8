using System.Text.Json;
using System.Text.Json.Serialization;

namespace Flux.Functions.Jobs;

/// <summary>
/// How request JSON is read (HTTP bodies, queue messages, .jsonl lines): camelCase, case-insensitive,
/// and strict: an unknown field ("step" for "steps") or a field given twice is an error naming it,
/// never silently ignored or overwritten. Errors are keyed by field and say what the field takes,
/// from the request's own shape, not from the parser's wording (which names .NET types).
/// </summary>
internal static class RequestJson
{
    public const string RootField = "$";

    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        AllowDuplicateProperties = false,
        NumberHandling = JsonNumberHandling.Strict, // "512" and "NaN" are strings, not numbers
    };

    private static readonly JsonDocumentOptions Syntax = new() { AllowDuplicateProperties = false };

    private static readonly string[] JobFields = ["items", "defaults", "notify", "jobId", "model"];
    private static readonly string[] ItemFields =
    [
        "prompt", "width", "height", "steps", "guidance", "seed", "sampler",
        "negativePrompt", "trueCfgScale", "prompt2", "image", "strength", "mask", "format", "quality", "size",
    ];

    private static readonly string[] ImageFields = ["base64", "blob"];
    private static readonly string[] NotifyFields = ["events", "tag", "webhook"];
    private static readonly string[] WebhookFields = ["url", "events"];

    /// <summary>The value, or the error under the field it concerns ("items[0].width", or "$" for the whole text).</summary>
    public static (T? Value, IReadOnlyDictionary<string, string[]> Errors) Parse<T>(string json, string what)
        where T : class
    {
        try
        {
            return JsonSerializer.Deserialize<T>(json, Options) is { } value
                ? (value, Empty)
                : (null, Error(RootField, $"expected a {what} object, not null"));
        }
        catch (JsonException e)
        {
            string field = Field(e.Path);
            return (null, Error(field, SyntaxError(json) is { } syntax
                ? $"not valid JSON ({syntax})"
                : Expectation(field, typeof(T) == typeof(JobItemRequest))));
        }
    }

    /// <summary>
    /// The reader's complaint when the text is not well-formed JSON or repeats a field (its message names
    /// no .NET types, only what it met and where), or null when the JSON is fine and the shape is wrong.
    /// </summary>
    private static string? SyntaxError(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json, Syntax);
            return null;
        }
        catch (JsonException e)
        {
            return Reason(e);
        }
    }

    /// <summary>"$.items[0].width" -> "items[0].width"; the root stays "$".</summary>
    public static string Field(string? jsonPath)
        => jsonPath is null || jsonPath == RootField ? RootField
            : jsonPath.StartsWith("$.", StringComparison.Ordinal) ? jsonPath[2..]
            : jsonPath.StartsWith(RootField, StringComparison.Ordinal) ? jsonPath[1..]
            : jsonPath;

    /// <summary>What the field takes, or, for a name the request does not have, which names it does.</summary>
    private static string Expectation(string field, bool rootIsItem)
    {
        if (field == RootField)
        {
            return rootIsItem ? "expected an item object ({\"prompt\": \"...\"})" : "expected a job object ({\"items\": [{\"prompt\": \"...\"}]})";
        }

        int dot = field.LastIndexOf('.');
        string parent = dot < 0 ? "" : field[..dot];
        string name = dot < 0 ? field : field[(dot + 1)..];
        if (name.EndsWith(']'))
        {
            return "expected an item object ({\"prompt\": \"...\"})";
        }

        string[] known = parent.Length == 0 ? (rootIsItem ? ItemFields : JobFields)
            : parent == "notify" ? NotifyFields
            : parent == "notify.webhook" ? WebhookFields
            : IsImageField(parent) ? ImageFields
            : ItemFields; // items[n] and defaults
        if (!known.Contains(name, StringComparer.OrdinalIgnoreCase))
        {
            return $"unknown field {InputText.Quote(name)}; the fields here are {string.Join(", ", known)}";
        }

        return name.ToLowerInvariant() switch
        {
            "width" or "height" or "steps" => "expected a whole number",
            "quality" => "expected a whole number from 1 to 100",
            "truecfgscale" or "strength" => "expected a finite number",
            "image" or "mask" => "expected an object ({\"base64\": \"...\"} or {\"blob\": \"name\"})",
            "seed" => $"expected a whole number from 0 to {long.MaxValue}",
            "guidance" => "expected a finite number",
            "events" when parent == "notify.webhook" => $"expected an array of event types ([\"{Events.FluxEvents.JobCompleted}\"])",
            "events" => "expected true or false",
            "webhook" => "expected an object ({\"url\": \"https://...\", \"events\": [...]})",
            "items" => "expected an array of item objects ([{\"prompt\": \"...\"}])",
            "defaults" => "expected an item object",
            "notify" => "expected an object ({\"events\": true, \"tag\": \"...\"})",
            _ => "expected a string",
        };
    }

    /// <summary>"image", "mask", "items[0].image", "defaults.mask": the objects whose fields are <see cref="ImageFields"/>.</summary>
    private static bool IsImageField(string path)
    {
        string last = path[(path.LastIndexOf('.') + 1)..];
        return last.Equals("image", StringComparison.OrdinalIgnoreCase) || last.Equals("mask", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>The reader's message without its "Path: ... | LineNumber: ..." tail, said instead as line and byte.</summary>
    private static string Reason(JsonException e)
    {
        int tail = new[] { " Path: ", " LineNumber: " }.Select(t => e.Message.IndexOf(t, StringComparison.Ordinal)).Where(i => i >= 0).DefaultIfEmpty(e.Message.Length).Min();
        string reason = e.Message[..tail].TrimEnd('.');
        return e.BytePositionInLine is { } column ? $"{reason} at line {e.LineNumber + 1}, byte {column + 1}" : reason;
    }

    private static readonly IReadOnlyDictionary<string, string[]> Empty = new Dictionary<string, string[]>();

    private static Dictionary<string, string[]> Error(string field, string message) => new(StringComparer.Ordinal) { [field] = [message] };
}
