using System.Text.RegularExpressions;

namespace Flux.Functions.Jobs;

/// <summary>
/// Prompt files dropped into flux-prompts: <c>.txt</c> holds one prompt a line (blank lines and
/// lines starting with '#' are skipped); <c>.jsonl</c> holds one item object a line
/// (<c>{"prompt": "...", "seed": 7}</c>). Names follow a strict pattern (see <see cref="NameDescription"/>).
/// </summary>
public static partial class PromptFile
{
    public const char CommentMarker = '#';
    public const int MaxNameLength = 256;

    /// <summary>Folders and a file name, each segment starting with a letter or digit: no "..", no absolute paths, no backslashes or '%'.</summary>
    public const string NamePattern = "^[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)*$";

    public const string NameDescription =
        "at most 256 characters of '/'-separated segments of letters, digits, '.', '-' or '_', each starting with a letter or digit";

    public static bool IsValidName(string name) => name.Length <= MaxNameLength && NameRegex().IsMatch(name);

    /// <summary>The request the file describes, or the reasons it cannot be read, each naming the field or line.</summary>
    public static (JobRequest? Request, IReadOnlyList<string> Errors) Parse(string blobName, string content)
    {
        ArgumentNullException.ThrowIfNull(blobName);
        ArgumentNullException.ThrowIfNull(content);
        if (!IsValidName(blobName))
        {
            return (null, [$"name: blob name {InputText.Quote(blobName)} must be {NameDescription}"]);
        }

        string extension = Path.GetExtension(blobName).ToLowerInvariant();
        var lines = content.ReplaceLineEndings("\n").Split('\n');
        return extension switch
        {
            ".txt" => (new JobRequest([.. lines.Select(l => l.Trim())
                .Where(l => l.Length > 0 && l[0] != CommentMarker)
                .Select(l => new JobItemRequest(Prompt: l))]), []),
            ".jsonl" => ParseJsonLines(lines),
            _ => (null, [$"name: file {InputText.Quote(blobName)} has extension {InputText.Quote(extension)}; use .txt (one prompt a line) or .jsonl (one item a line)"]),
        };
    }

    private static (JobRequest?, IReadOnlyList<string>) ParseJsonLines(string[] lines)
    {
        var items = new List<JobItemRequest>();
        var errors = new List<string>();
        for (int i = 0; i < lines.Length; i++)
        {
            if (string.IsNullOrWhiteSpace(lines[i]))
            {
                continue;
            }

            var (item, lineErrors) = RequestJson.Parse<JobItemRequest>(lines[i], "item");
            if (item is not null)
            {
                items.Add(item);
            }

            errors.AddRange(lineErrors.SelectMany(e => e.Value.Select(m => $"line {i + 1}, {e.Key}: {m}")));
        }

        return errors.Count == 0 ? (new JobRequest(items), errors) : (null, errors);
    }

    [GeneratedRegex(NamePattern)]
    private static partial Regex NameRegex();
}
