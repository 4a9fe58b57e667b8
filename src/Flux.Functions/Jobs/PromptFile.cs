using System.Text.Json;

namespace Flux.Functions.Jobs;

/// <summary>
/// Prompt files dropped into flux-prompts: <c>.txt</c> holds one prompt a line (blank lines and
/// lines starting with '#' are skipped); <c>.jsonl</c> holds one item object a line
/// (<c>{"prompt": "...", "seed": 7}</c>).
/// </summary>
public static class PromptFile
{
    public const char CommentMarker = '#';

    /// <summary>The request the file describes, or the reasons it cannot be read.</summary>
    public static (JobRequest? Request, IReadOnlyList<string> Errors) Parse(string blobName, string content)
    {
        string extension = Path.GetExtension(blobName).ToLowerInvariant();
        var lines = content.ReplaceLineEndings("\n").Split('\n');
        return extension switch
        {
            ".txt" => (new JobRequest([.. lines.Select(l => l.Trim())
                .Where(l => l.Length > 0 && l[0] != CommentMarker)
                .Select(l => new JobItemRequest(Prompt: l))]), []),
            ".jsonl" => ParseJsonLines(lines),
            _ => (null, [$"file \"{blobName}\" has extension \"{extension}\"; use .txt (one prompt a line) or .jsonl (one item a line)"]),
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

            try
            {
                items.Add(JsonSerializer.Deserialize<JobItemRequest>(lines[i], JobStarter.RequestJson)
                    ?? throw new JsonException("null is not an item"));
            }
            catch (JsonException e)
            {
                errors.Add($"line {i + 1}: not a JSON item ({e.Message})");
            }
        }

        return errors.Count == 0 ? (new JobRequest(items), errors) : (null, errors);
    }
}
