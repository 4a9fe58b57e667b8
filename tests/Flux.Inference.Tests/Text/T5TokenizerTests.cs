using Flux.Inference.Text;
using Flux.Tests.Shared;

namespace Flux.Inference.Tests.Text;

public sealed class T5TokenizerTests
{
    // spiece.model's trainer ids are the SentencePiece defaults (eos 2); its <pad> piece is id 0.
    private const int EndOfSentence = 2;
    private const int Pad = 0;

    private static readonly Lazy<T5Tokenizer> Schnell = new(() => T5Tokenizer.FromFile(TokenizerTestFiles.T5SpieceModel, T5Tokenizer.SchnellLength));
    private static readonly Lazy<T5Tokenizer> Dev = new(() => T5Tokenizer.FromFile(TokenizerTestFiles.T5SpieceModel, T5Tokenizer.DevLength));

    public static TheoryData<string> Prompts() => TokenizerReference.PromptNames();

    [Theory]
    [MemberData(nameof(Prompts))]
    public void Encode_At256_EqualsHuggingFaceReference(string name)
    {
        var reference = TokenizerReference.Instance.Prompt(name);

        Assert.Equal(reference.T5.Ids256, Schnell.Value.Encode(reference.Prompt));
    }

    [Theory]
    [MemberData(nameof(Prompts))]
    public void Encode_At512_EqualsHuggingFaceReference(string name)
    {
        var reference = TokenizerReference.Instance.Prompt(name);

        Assert.Equal(reference.T5.Ids512, Dev.Value.Encode(reference.Prompt));
    }

    [Fact]
    public void SpecialIds_ComeFromTheModelAndAgreeWithTheReference()
    {
        var specials = TokenizerReference.Instance.T5;

        Assert.Equal((EndOfSentence, Pad), (Schnell.Value.EndOfSentenceId, Schnell.Value.PadId));
        Assert.Equal((specials.EosId, specials.PadId), (Schnell.Value.EndOfSentenceId, Schnell.Value.PadId));
    }

    [Theory]
    [InlineData("between-t5-limits", 256)]
    [InlineData("very-long", 256)]
    [InlineData("very-long", 512)]
    public void Encode_PromptOverTheLimit_KeepsTheFirstMaxMinusOneThenEndOfSentence(string name, int maxLength)
    {
        var content = TokenizerReference.Instance.Prompt(name).T5.Content;
        Assert.True(content.Length >= maxLength, "the reference prompt must be over-long");
        var tokenizer = maxLength == T5Tokenizer.SchnellLength ? Schnell.Value : Dev.Value;

        long[] ids = tokenizer.Encode(TokenizerReference.Instance.Prompt(name).Prompt);

        Assert.Equal(maxLength, ids.Length);
        Assert.Equal(content[..(maxLength - 1)], ids[..^1]);
        Assert.Equal(EndOfSentence, ids[^1]);
    }

    [Fact]
    public void Encode_PromptBetweenTheLimits_IsWholeAt512AndPaddedWithZero()
    {
        var content = TokenizerReference.Instance.Prompt("between-t5-limits").T5.Content;
        Assert.InRange(content.Length, T5Tokenizer.SchnellLength, T5Tokenizer.DevLength - 2);

        long[] ids = Dev.Value.Encode(TokenizerReference.Instance.Prompt("between-t5-limits").Prompt);

        Assert.Equal(content, ids[..content.Length]);
        Assert.Equal(EndOfSentence, ids[content.Length]);
        Assert.All(ids[(content.Length + 1)..], id => Assert.Equal(Pad, id));
    }

    [Theory]
    [InlineData("")]
    [InlineData(" \t\n ")]
    public void Encode_EmptyOrBlankPrompt_IsEndOfSentenceThenPadding(string prompt)
    {
        long[] expected = [EndOfSentence, .. new long[T5Tokenizer.SchnellLength - 1]];

        Assert.Equal(expected, Schnell.Value.Encode(prompt));
    }

    [Theory]
    [InlineData("  a photo of a cat  ")]
    [InlineData("\n\ta photo of a cat\t\n")]
    public void Encode_OuterWhitespace_IsTrimmed(string prompt)
    {
        Assert.Equal(Schnell.Value.Encode("a photo of a cat"), Schnell.Value.Encode(prompt));
    }

    [Fact]
    public void Encode_IntoSpan_WritesTheSameIdsAsTheArrayOverload()
    {
        const string prompt = "Москва ночью, neon lights, 35mm";
        var destination = new long[T5Tokenizer.SchnellLength];
        Array.Fill(destination, -1L);

        Schnell.Value.Encode(prompt, destination);

        Assert.Equal(Schnell.Value.Encode(prompt), destination);
    }

    [Fact]
    public void Encode_IntoSpanOfWrongLength_ThrowsNamingBothLengths()
    {
        var error = Assert.Throws<ArgumentException>(() => Schnell.Value.Encode("a cat", new long[77]));

        Assert.Contains("77", error.Message, StringComparison.Ordinal);
        Assert.Contains("256", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(0)]
    [InlineData(-5)]
    public void FromFile_MaxLengthBelowTwo_ThrowsNamingTheValue(int maxLength)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => T5Tokenizer.FromFile(TokenizerTestFiles.T5SpieceModel, maxLength));

        Assert.Contains($"T5 max length {maxLength}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromFile_MissingModel_ThrowsNamingTheFile()
    {
        string missing = Path.Combine(Path.GetTempPath(), $"no-such-{Guid.NewGuid():N}", "spiece.model");

        var error = Assert.Throws<FileNotFoundException>(() => T5Tokenizer.FromFile(missing, 256));

        Assert.Contains(missing, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("truncated")]
    [InlineData("text")]
    [InlineData("empty")]
    public void FromFile_DamagedModel_ThrowsInvalidDataNamingTheFile(string damage)
    {
        byte[] original = File.ReadAllBytes(TokenizerTestFiles.T5SpieceModel);
        byte[] damaged = damage switch
        {
            "truncated" => original[..(original.Length / 2)],
            "text" => "this is not a protobuf message"u8.ToArray(),
            _ => [],
        };
        using var folder = new TemporaryFolder();
        string path = folder.Write("spiece.model", damaged);

        var error = Assert.Throws<InvalidDataException>(() => T5Tokenizer.FromFile(path, 256));

        Assert.Contains(path, error.Message, StringComparison.Ordinal);
    }
}
