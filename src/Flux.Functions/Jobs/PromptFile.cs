using System.Text.RegularExpressions;
using Flux.Inference;

namespace Flux.Functions.Jobs;

/// <summary>
/// Prompt files dropped into flux-prompts, read by <see cref="PromptList"/> (the same reader as the CLI's --prompts):
/// <c>.txt</c> holds one prompt a line, <c>.jsonl</c> one item object a line, read strictly by <see cref="RequestJson"/>.
/// Blob names follow a strict pattern (see <see cref="NameDescription"/>).
/// </summary>
internal static partial class PromptFile
{
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

        if (PromptList.FormatOf(blobName) is not { } format)
        {
            string extension = Path.GetExtension(blobName).ToLowerInvariant();
            return (null, [$"name: file {InputText.Quote(blobName)} has extension {InputText.Quote(extension)}; use {PromptList.FormatsDescription}"]);
        }

        var (items, errors) = PromptList.Parse(content, format, prompt => new JobItemRequest(Prompt: prompt), ParseItem);
        return items is null ? (null, errors) : (new JobRequest([.. items]), errors);
    }

    private static (JobItemRequest?, IEnumerable<KeyValuePair<string, string>>) ParseItem(string line)
    {
        var (item, errors) = RequestJson.Parse<JobItemRequest>(line, "item");
        return (item, errors.SelectMany(e => e.Value.Select(message => KeyValuePair.Create(e.Key, message))));
    }

    [GeneratedRegex(NamePattern)]
    private static partial Regex NameRegex();
}
