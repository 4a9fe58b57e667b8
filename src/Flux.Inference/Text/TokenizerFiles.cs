using System.Text.Json;

namespace Flux.Inference.Text;

/// <summary>Reads tokenizer files with errors that name the file and what is wrong with it.</summary>
internal static class TokenizerFiles
{
    private const string MergesVersionHeader = "#version";

    public static void EnsureExists(string path, string what)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{what} '{path}' was not found.", path);
        }
    }

    /// <summary>vocab.json: one JSON object mapping each token to its id.</summary>
    public static Dictionary<string, int> ReadClipVocabulary(string path)
    {
        try
        {
            using var stream = File.OpenRead(path);
            var vocabulary = JsonSerializer.Deserialize<Dictionary<string, int>>(stream);
            if (vocabulary is null || vocabulary.Count == 0)
            {
                throw new InvalidDataException($"CLIP vocabulary '{path}' is empty; expected a JSON object of token -> id.");
            }

            return vocabulary;
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"CLIP vocabulary '{path}' is not a JSON object of token -> id: {e.Message}", e);
        }
    }

    /// <summary>merges.txt: one "left right" pair per line, in priority order, after an optional #version header.</summary>
    public static List<string> ReadMerges(string path)
    {
        var merges = new List<string>();
        int lineNumber = 0;
        foreach (string line in File.ReadLines(path))
        {
            lineNumber++;
            if (line.Length == 0 || (lineNumber == 1 && line.StartsWith(MergesVersionHeader, StringComparison.Ordinal)))
            {
                continue;
            }

            int space = line.IndexOf(' ', StringComparison.Ordinal);
            if (space <= 0 || space == line.Length - 1 || line.IndexOf(' ', space + 1) >= 0)
            {
                throw new InvalidDataException($"CLIP merges '{path}' line {lineNumber} is not a pair 'left right': \"{line}\".");
            }

            merges.Add(line);
        }

        if (merges.Count == 0)
        {
            throw new InvalidDataException($"CLIP merges '{path}' holds no merge pairs.");
        }

        return merges;
    }

    public static int RequireToken(IReadOnlyDictionary<string, int> vocabulary, string token, string path) =>
        vocabulary.TryGetValue(token, out int id)
            ? id
            : throw new InvalidDataException($"CLIP vocabulary '{path}' has no {token} token.");
}
