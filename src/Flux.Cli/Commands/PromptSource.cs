using System.Text.Json;
using System.Text.Json.Serialization;
using Flux.Inference;

namespace Flux.Cli.Commands;

/// <summary>
/// One prompt of `flux generate` with its own settings: a PROMPT argument, a line of a .txt list, or an item of a .jsonl
/// list, whose fields are named as the service's job items (prompt, width, height, size, steps, guidance, seed, sampler,
/// negativePrompt, trueCfgScale, prompt2, image, strength, mask; image and mask are file paths here).
/// Null fields take the command line's value; the command line's own settings are a PromptItem too
/// (<see cref="GenerateArguments.Defaults"/>), whose null fields take the model's defaults.
/// </summary>
internal sealed record PromptItem(
    string? Prompt = null,
    int? Width = null,
    int? Height = null,
    string? Size = null,
    int? Steps = null,
    float? Guidance = null,
    long? Seed = null,
    string? Sampler = null,
    string? NegativePrompt = null,
    float? TrueCfgScale = null,
    string? Prompt2 = null,
    string? Image = null,
    float? Strength = null,
    string? Mask = null);

/// <summary>Where `flux generate` takes its prompts from: the argument, @FILE / --prompts FILE, or standard input ("-").</summary>
internal static class PromptSource
{
    private const string StandardInput = "-";
    private static readonly string[] ItemFields =
        ["prompt", "width", "height", "size", "steps", "guidance", "seed", "sampler", "negativePrompt", "trueCfgScale", "prompt2", "image", "strength", "mask"];

    /// <summary>As the service reads items: camelCase, unknown or repeated fields and numbers in strings are errors.</summary>
    private static readonly JsonSerializerOptions ItemJson = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        AllowDuplicateProperties = false,
        NumberHandling = JsonNumberHandling.Strict,
    };

    /// <summary>The prompts to generate, in order; a list that cannot be read is a usage error naming the file and line.</summary>
    public static IReadOnlyList<PromptItem> Read(string? prompt, string? promptsFile, Func<TextReader> standardInput)
    {
        ArgumentNullException.ThrowIfNull(standardInput);
        string? list = promptsFile ?? (prompt is ['@', .. var file] ? file : null);
        if (list is null)
        {
            return [new PromptItem(prompt)];
        }

        string option = promptsFile is null ? "PROMPT" : "--prompts";
        bool fromStdin = list is StandardInput or CliSetup.StandardInputArgument;
        string name = fromStdin ? "standard input" : list;
        string content;
        PromptListFormat format;
        if (fromStdin)
        {
            content = standardInput().ReadToEnd();
            // Standard input has no extension: a list whose first item line is an object is .jsonl, anything else .txt.
            format = content.ReplaceLineEndings("\n").Split('\n').Select(l => l.Trim())
                .FirstOrDefault(l => l.Length > 0 && l[0] != PromptList.CommentMarker) is ['{', ..] ? PromptListFormat.JsonLines : PromptListFormat.Text;
        }
        else
        {
            format = PromptList.FormatOf(list) ?? throw new CliUsageException(
                $"{option} '{list}' has extension '{Path.GetExtension(list)}' (allowed: {PromptList.FormatsDescription})");
            if (!File.Exists(list))
            {
                throw new CliUsageException($"{option} '{list}' does not exist (allowed: a {PromptList.FormatsDescription} file, or - for standard input)");
            }

            content = File.ReadAllText(list);
        }

        var (items, errors) = PromptList.Parse(content, format, text => new PromptItem(text), ParseItem);
        if (items is null)
        {
            throw new CliUsageException($"{option} {name}: {string.Join("; ", errors)}");
        }

        return items.Count > 0 ? items : throw new CliUsageException($"{option} {name} holds no prompts (allowed: {PromptList.FormatsDescription})");
    }

    private static (PromptItem?, IEnumerable<KeyValuePair<string, string>>) ParseItem(string line)
    {
        try
        {
            var item = JsonSerializer.Deserialize<PromptItem>(line, ItemJson);
            return item?.Prompt is null
                ? (null, [KeyValuePair.Create("prompt", "is required ({\"prompt\": \"...\"})")])
                : (item, []);
        }
        catch (JsonException e)
        {
            string field = e.Path is null or "$" ? "$" : e.Path.TrimStart('$', '.');
            return (null, [KeyValuePair.Create(field, Expectation(field, e))]);
        }
    }

    /// <summary>What the field takes, said in the item's terms (the parser's own message names .NET types).</summary>
    private static string Expectation(string field, JsonException e)
    {
        if (e.Message.Contains("could not be mapped", StringComparison.Ordinal))
        {
            string unknown = e.Message.Split('\'') is [_, var name, ..] ? name : field;
            return $"unknown field '{unknown}'; the fields are {string.Join(", ", ItemFields)}";
        }

        return field switch
        {
            "width" or "height" or "steps" or "seed" => "expected a whole number",
            "guidance" or "trueCfgScale" or "strength" => "expected a number",
            "prompt" or "size" or "sampler" or "negativePrompt" or "prompt2" => "expected a string",
            "image" or "mask" => "expected a string: a file path",
            _ => "not a JSON item object ({\"prompt\": \"...\"})",
        };
    }
}
