namespace Flux.Tests.Shared;

/// <summary>
/// Where the tokenizer tests find their files, all inside the repository so that a fresh clone needs
/// nothing beside it: the CLIP vocabulary the model builder vendors (src/Flux.ModelBuilder/Vocab/clip) and
/// the T5 SentencePiece model vendored as test data (tests/TestData/t5-unigram, see its SOURCE.md).
/// Linked into each test project that needs it (one source, no shared test assembly).
/// </summary>
internal static class TokenizerTestFiles
{
    public static string RepoRoot { get; } = FindRepoRoot();

    public static string ClipVocabJson => Path.Combine(ClipDirectory, "vocab.json");

    public static string ClipMergesTxt => Path.Combine(ClipDirectory, "merges.txt");

    public static string T5SpieceModel => Path.Combine(RepoRoot, "tests", "TestData", "t5-unigram", "spiece.model");

    private static string ClipDirectory => Path.Combine(RepoRoot, "src", "Flux.ModelBuilder", "Vocab", "clip");

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
}
