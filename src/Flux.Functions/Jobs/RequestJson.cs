using System.Text.Json;
using System.Text.Json.Serialization;

namespace Flux.Functions.Jobs;

/// <summary>
/// How request JSON is read (HTTP bodies, queue messages, .jsonl lines): camelCase, case-insensitive,
/// and strict: an unknown field ("step" for "steps") or a field given twice is an error naming it,
/// never silently ignored or overwritten.
/// </summary>
public static class RequestJson
{
    public const string RootField = "$";

    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        AllowDuplicateProperties = false,
    };

    /// <summary>The value, or the error under the field it concerns ("items[0].width", or "$" for the whole text).</summary>
    public static (T? Value, IReadOnlyDictionary<string, string[]> Errors) Parse<T>(string json, string what)
        where T : class
    {
        try
        {
            return JsonSerializer.Deserialize<T>(json, Options) is { } value
                ? (value, Empty)
                : (null, Error(RootField, $"not a valid {what} (null)"));
        }
        catch (JsonException e)
        {
            return (null, Error(Field(e.Path), $"not a valid {what} ({Reason(e)})"));
        }
    }

    /// <summary>"$.items[0].width" -> "items[0].width"; the root stays "$".</summary>
    public static string Field(string? jsonPath)
        => jsonPath is null || jsonPath == RootField ? RootField
            : jsonPath.StartsWith("$.", StringComparison.Ordinal) ? jsonPath[2..]
            : jsonPath.StartsWith(RootField, StringComparison.Ordinal) ? jsonPath[1..]
            : jsonPath;

    /// <summary>The parser's message without its "Path: ... | LineNumber" tail, which the field already says.</summary>
    private static string Reason(JsonException e)
    {
        int tail = e.Message.IndexOf(" Path: ", StringComparison.Ordinal);
        string reason = tail >= 0 ? e.Message[..tail] : e.Message;
        return e.BytePositionInLine is { } column ? $"{reason.TrimEnd('.')} at line {e.LineNumber + 1}, byte {column + 1}" : reason.TrimEnd('.');
    }

    private static readonly IReadOnlyDictionary<string, string[]> Empty = new Dictionary<string, string[]>();

    private static Dictionary<string, string[]> Error(string field, string message) => new(StringComparer.Ordinal) { [field] = [message] };
}
