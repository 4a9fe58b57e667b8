using Flux.Inference.Text;
using Flux.Tests.Shared;

namespace Flux.Inference.Tests.Text;

public sealed class ClipTokenizerTests
{
    private const int StartOfText = 49406;
    private const int EndOfText = 49407;

    private static readonly Lazy<ClipTokenizer> Shared = new(() =>
        ClipTokenizer.FromFiles(TokenizerTestFiles.ClipVocabJson, TokenizerTestFiles.ClipMergesTxt));

    private static ClipTokenizer Tokenizer => Shared.Value;

    // The project runs with InvariantGlobalization (Directory.Build.props), where string.Normalize is a no-op,
    // so CLIP's NFC step cannot compose decomposed (NFD) accents; see Encode_DecomposedAccents_EqualsHuggingFaceReference.
    private const string DecomposedAccents = "decomposed-accents";

    public static TheoryData<string> Prompts() => new(TokenizerReference.Instance.Prompts.Select(p => p.Name).Where(name => name != DecomposedAccents));

    [Fact]
    public void Encode_PhotoOfACat_GivesOpenAiIdsPaddedWithEndOfText()
    {
        long[] expected = [StartOfText, 320, 1125, 539, 320, 2368, EndOfText, .. Enumerable.Repeat((long)EndOfText, 70)];

        Assert.Equal(expected, Tokenizer.Encode("a photo of a cat"));
    }

    [Theory]
    [MemberData(nameof(Prompts))]
    public void Encode_EqualsHuggingFaceReference(string name)
    {
        var reference = TokenizerReference.Instance.Prompt(name);

        Assert.Equal(reference.Clip.Ids77, Tokenizer.Encode(reference.Prompt));
    }

    [Fact]
    public void Encode_DecomposedAccents_EqualsHuggingFaceReference()
    {
        var reference = TokenizerReference.Instance.Prompt(DecomposedAccents);

        Assert.Equal(reference.Clip.Ids77, Tokenizer.Encode(reference.Prompt));
    }

    [Fact]
    public void ReferenceSpecialTokens_AreTheIdsTheTokenizerUses()
    {
        var specials = TokenizerReference.Instance.Clip;

        Assert.Equal((specials.BosId, specials.EosId, specials.PadId), (Tokenizer.StartOfTextId, Tokenizer.EndOfTextId, Tokenizer.PadId));
    }

    [Fact]
    public void Encode_PromptLongerThan75Tokens_KeepsTheFirst75ThenEndOfTextWithoutPadding()
    {
        var reference = TokenizerReference.Instance.Prompt("long");
        Assert.True(reference.Clip.Content.Length > ClipTokenizer.MaxContentLength, "the reference prompt must be over-long");

        long[] ids = Tokenizer.Encode(reference.Prompt);

        Assert.Equal(ClipTokenizer.SequenceLength, ids.Length);
        Assert.Equal(StartOfText, ids[0]);
        Assert.Equal(reference.Clip.Content[..ClipTokenizer.MaxContentLength], ids[1..^1]);
        Assert.Equal(EndOfText, ids[^1]);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("\t\n")]
    public void Encode_EmptyOrBlankPrompt_IsStartEndThenPadding(string prompt)
    {
        long[] expected = [StartOfText, .. Enumerable.Repeat((long)EndOfText, 76)];

        Assert.Equal(expected, Tokenizer.Encode(prompt));
    }

    [Theory]
    [InlineData("  a photo of a cat  ")]
    [InlineData("\ta photo of a cat\n")]
    [InlineData("a   photo\tof\n\na cat")]
    [InlineData("A PHOTO OF A CAT")]
    public void Encode_OuterAndInnerWhitespaceAndCase_DoNotChangeIds(string prompt)
    {
        Assert.Equal(Tokenizer.Encode("a photo of a cat"), Tokenizer.Encode(prompt));
    }

    [Fact]
    public void Encode_IntoSpan_WritesTheSameIdsAsTheArrayOverload()
    {
        const string prompt = "Café crème on a rainy day, 35mm 🐱";
        Span<long> destination = stackalloc long[ClipTokenizer.SequenceLength];
        destination.Fill(-1);

        Tokenizer.Encode(prompt, destination);

        Assert.Equal(Tokenizer.Encode(prompt), destination.ToArray());
    }

    [Theory]
    [InlineData(76)]
    [InlineData(78)]
    public void Encode_IntoSpanOfWrongLength_ThrowsNamingBothLengths(int length)
    {
        var destination = new long[length];

        var error = Assert.Throws<ArgumentException>(() => Tokenizer.Encode("a cat", destination));

        Assert.Contains($"{length}", error.Message, StringComparison.Ordinal);
        Assert.Contains("77", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromFiles_MissingVocabulary_ThrowsNamingTheFile()
    {
        string missing = Path.Combine(Path.GetTempPath(), $"no-such-{Guid.NewGuid():N}", "vocab.json");

        var error = Assert.Throws<FileNotFoundException>(() => ClipTokenizer.FromFiles(missing, TokenizerTestFiles.ClipMergesTxt));

        Assert.Contains(missing, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("vocab.json", "not json at all")]
    [InlineData("vocab.json", "{\"a\": 1}")]
    [InlineData("merges.txt", "#version: 0.2\nthree parts here\n")]
    public void FromFiles_DamagedFile_ThrowsInvalidDataNamingTheFile(string damagedName, string damagedContent)
    {
        using var folder = new TemporaryFolder();
        string vocab = damagedName == "vocab.json" ? folder.Write(damagedName, damagedContent) : TokenizerTestFiles.ClipVocabJson;
        string merges = damagedName == "merges.txt" ? folder.Write(damagedName, damagedContent) : TokenizerTestFiles.ClipMergesTxt;

        var error = Assert.Throws<InvalidDataException>(() => ClipTokenizer.FromFiles(vocab, merges));

        Assert.Contains(Path.Combine(folder.Path, damagedName), error.Message, StringComparison.Ordinal);
    }
}
