namespace Flux.Inference;

/// <summary>The two layouts of a prompt list file.</summary>
public enum PromptListFormat
{
    /// <summary><c>.txt</c>: one prompt a line, trimmed; blank lines and lines starting with '#' are skipped.</summary>
    Text,

    /// <summary><c>.jsonl</c>: one item object a line (<c>{"prompt": "...", "seed": 7}</c>); blank lines are skipped.</summary>
    JsonLines,
}

/// <summary>
/// Prompt list files, the one reader behind the service's flux-prompts blobs and the CLI's <c>--prompts</c>: the format
/// by extension, the lines that carry items, and per-line errors ("line 3, width: ..."). What an item object holds is
/// the caller's request type, so each caller passes its own strict item reader.
/// </summary>
public static class PromptList
{
    public const char CommentMarker = '#';
    public const string TextExtension = ".txt";
    public const string JsonLinesExtension = ".jsonl";

    /// <summary>What the formats are, for error messages.</summary>
    public const string FormatsDescription = ".txt (one prompt a line) or .jsonl (one item a line)";

    /// <summary>The format a file name's extension says (any case), or null for another extension.</summary>
    public static PromptListFormat? FormatOf(string fileName) => Path.GetExtension(fileName).ToLowerInvariant() switch
    {
        TextExtension => PromptListFormat.Text,
        JsonLinesExtension => PromptListFormat.JsonLines,
        _ => null,
    };

    /// <summary>
    /// The items of <paramref name="content"/>, in order, or every error (each "line N, field: message") and no items.
    /// Text lines become items through <paramref name="fromPrompt"/>, JSON lines through <paramref name="fromJson"/>,
    /// which returns the item or its errors keyed by field.
    /// </summary>
    public static (IReadOnlyList<T>? Items, IReadOnlyList<string> Errors) Parse<T>(
        string content,
        PromptListFormat format,
        Func<string, T> fromPrompt,
        Func<string, (T? Item, IEnumerable<KeyValuePair<string, string>> Errors)> fromJson)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(content);
        ArgumentNullException.ThrowIfNull(fromPrompt);
        ArgumentNullException.ThrowIfNull(fromJson);
        var items = new List<T>();
        var errors = new List<string>();
        string[] lines = content.ReplaceLineEndings("\n").Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i].Trim();
            if (line.Length == 0 || (format == PromptListFormat.Text && line[0] == CommentMarker))
            {
                continue;
            }

            if (format == PromptListFormat.Text)
            {
                items.Add(fromPrompt(line));
                continue;
            }

            var (item, lineErrors) = fromJson(lines[i]);
            if (item is not null)
            {
                items.Add(item);
            }

            errors.AddRange(lineErrors.Select(e => $"line {i + 1}, {e.Key}: {e.Value}"));
        }

        return errors.Count == 0 ? (items, errors) : (null, errors);
    }
}
