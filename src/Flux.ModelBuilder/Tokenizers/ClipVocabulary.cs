using System.Reflection;
using System.Text.Json;

namespace Flux.ModelBuilder.Tokenizers;

/// <summary>The real CLIP ViT-L/14 BPE vocabulary, vendored in Vocab/clip and embedded in this assembly.</summary>
public static class ClipVocabulary
{
    /// <summary>Tokens in CLIP's vocabulary.</summary>
    public const int Size = 49_408;

    public const long StartOfText = 49_406;
    public const long EndOfText = 49_407;

    private const string VocabResource = "Flux.ModelBuilder.Vocab.clip.vocab.json";
    private const string MergesResource = "Flux.ModelBuilder.Vocab.clip.merges.txt";

    private static readonly Lazy<Dictionary<string, long>> Vocabulary = new(Load);

    /// <summary>Writes vocab.json and merges.txt into <paramref name="directory"/>.</summary>
    public static void WriteTo(string directory)
    {
        Copy(VocabResource, Path.Combine(directory, "vocab.json"));
        Copy(MergesResource, Path.Combine(directory, "merges.txt"));
    }

    /// <summary>The id of a whole word as CLIP tokenises it alone (the token "word&lt;/w&gt;").</summary>
    public static long WordId(string word) =>
        Vocabulary.Value.TryGetValue(word + "</w>", out var id)
            ? id
            : throw new ArgumentException($"'{word}' is not a single token of the CLIP vocabulary.", nameof(word));

    private static void Copy(string resource, string path)
    {
        using var source = Open(resource);
        using var target = File.Create(path);
        source.CopyTo(target);
    }

    private static Stream Open(string resource) =>
        Assembly.GetExecutingAssembly().GetManifestResourceStream(resource)
        ?? throw new InvalidOperationException($"Embedded resource {resource} is missing from Flux.ModelBuilder.");

    private static Dictionary<string, long> Load()
    {
        using var stream = Open(VocabResource);
        return JsonSerializer.Deserialize<Dictionary<string, long>>(stream)
            ?? throw new InvalidOperationException("The embedded CLIP vocab.json is empty.");
    }
}
