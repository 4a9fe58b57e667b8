namespace Flux.Tests.Shared;

/// <summary>
/// Where the tokenizer tests find their files. The CLIP vocabulary is vendored in the repository
/// (src/Flux.ModelBuilder/Vocab/clip) once the model builder lands it, else read from the shared folder;
/// the T5 SentencePiece model (1 MB) is read from the shared folder, <c>shared/tokenizers</c> beside the
/// clone or one of its parents (CI keeps a read-only copy at ../shared), or <c>$FLUX_SHARED_DIR</c>.
/// Linked into each test project that needs it (one source, no shared test assembly).
/// </summary>
internal static class TokenizerTestFiles
{
    private const string SharedDirVariable = "FLUX_SHARED_DIR";

    public static string RepoRoot { get; } = FindRepoRoot();

    public static string ClipVocabJson => Path.Combine(ClipDirectory, "vocab.json");

    public static string ClipMergesTxt => Path.Combine(ClipDirectory, "merges.txt");

    public static string T5SpieceModel => Path.Combine(SharedTokenizers, "t5-unigram", "spiece.model");

    private static string ClipDirectory
    {
        get
        {
            string vendored = Path.Combine(RepoRoot, "src", "Flux.ModelBuilder", "Vocab", "clip");
            return File.Exists(Path.Combine(vendored, "vocab.json")) ? vendored : Path.Combine(SharedTokenizers, "clip");
        }
    }

    private static string SharedTokenizers => FindSharedTokenizers();

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Flux.Functions.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"Flux.Functions.sln not found above {AppContext.BaseDirectory}.");
    }

    private static string FindSharedTokenizers()
    {
        string? configured = Environment.GetEnvironmentVariable(SharedDirVariable);
        if (!string.IsNullOrEmpty(configured))
        {
            return Path.Combine(configured, "tokenizers");
        }

        for (var dir = new DirectoryInfo(RepoRoot).Parent; dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "shared", "tokenizers");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException(
            $"The shared tokenizer files (shared/tokenizers with clip/ and t5-unigram/) were not found beside {RepoRoot} " +
            $"or any parent folder; put the shared folder at ../shared or set {SharedDirVariable}.");
    }
}
