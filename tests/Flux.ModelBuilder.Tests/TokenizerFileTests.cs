using Flux.ModelBuilder.Tokenizers;
using Google.Protobuf;
using Microsoft.ML.Tokenizers;

namespace Flux.ModelBuilder.Tests;

[Collection(PackagesCollection.Name)]
public sealed class TokenizerFileTests(PackagesFixture packages)
{
    [Fact]
    public void SpieceModel_HasT5SpecialIds_AndNoBos_SoUnpatchedLoadingFails()
    {
        var bytes = File.ReadAllBytes(Path.Combine(packages.Tiny, "tokenizer_2/spiece.model"));
        Assert.Equal("<pad>", SentencePieceModelWriter.PieceList[0]);
        Assert.Equal("</s>", SentencePieceModelWriter.PieceList[1]);
        Assert.Equal("<unk>", SentencePieceModelWriter.PieceList[2]);
        Assert.Equal(SentencePieceModelWriter.VocabularySize, SentencePieceModelWriter.PieceList.Count);

        // Microsoft.ML.Tokenizers 2.0.1 cannot load a model with bos_id = -1 (DESIGN section 4): the real code path.
        using var stream = new MemoryStream(bytes);
        Assert.ThrowsAny<Exception>(() => SentencePieceTokenizer.Create(stream, addBeginningOfSentence: false, addEndOfSentence: true));
    }

    [Fact]
    public void SpieceModel_WithTheBosFix_TokenizesWholeWordsThenEos()
    {
        var tokenizer = LoadWithBosFix(File.ReadAllBytes(Path.Combine(packages.Tiny, "tokenizer_2/spiece.model")));
        var ids = tokenizer.EncodeToIds("a red circle on a blue background");

        string[] pieces = ["a", "red", "circle", "on", "a", "blue", "background"];
        var expected = pieces.Select(w => SentencePieceModelWriter.PieceList.ToList().IndexOf(SentencePieceModelWriter.WordBoundary + w)).Append(SentencePieceModelWriter.EosId);
        Assert.Equal(expected, ids);
    }

    [Fact]
    public void SpieceModel_WithTheBosFix_SpellsUnknownWordsWithCharacterPieces()
    {
        var tokenizer = LoadWithBosFix(File.ReadAllBytes(Path.Combine(packages.Tiny, "tokenizer_2/spiece.model")));
        var tokens = tokenizer.EncodeToTokens("zebra", out _);
        Assert.Equal(["\u2581z", "e", "b", "r", "a"], tokens.Select(t => t.Value).Take(5));
    }

    [Fact]
    public void ClipVocabulary_IsTheRealOne()
    {
        // "a photo of a cat" -> [49406, 320, 1125, 539, 320, 2368, 49407] with the real CLIP tokenizer.
        Assert.Equal([320L, 1125, 539, 320, 2368], new[] { "a", "photo", "of", "a", "cat" }.Select(ClipVocabulary.WordId));
        var vocab = File.ReadAllText(Path.Combine(packages.Reference, "tokenizer/vocab.json"));
        Assert.Contains("\"<|endoftext|>\": 49407", vocab, StringComparison.Ordinal);
        Assert.StartsWith("#version", File.ReadLines(Path.Combine(packages.Reference, "tokenizer/merges.txt")).First(), StringComparison.Ordinal);
    }

    /// <summary>
    /// DESIGN section 4's fix, done here with protobuf merge semantics: append a &lt;s&gt; control piece and a
    /// trainer_spec fragment whose bos_id points at it (a repeated message field appends, a singular one merges).
    /// </summary>
    private static SentencePieceTokenizer LoadWithBosFix(byte[] model)
    {
        using var patched = new MemoryStream();
        patched.Write(model);
        using (var output = new CodedOutputStream(patched, leaveOpen: true))
        {
            output.WriteTag(1, WireFormat.WireType.LengthDelimited);
            output.WriteBytes(Message(p =>
            {
                p.WriteTag(1, WireFormat.WireType.LengthDelimited);
                p.WriteString("<s>");
                p.WriteTag(3, WireFormat.WireType.Varint);
                p.WriteEnum(3); // CONTROL
            }));
            output.WriteTag(2, WireFormat.WireType.LengthDelimited);
            output.WriteBytes(Message(t =>
            {
                t.WriteTag(41, WireFormat.WireType.Varint);
                t.WriteInt32(SentencePieceModelWriter.VocabularySize);
            }));
        }

        patched.Position = 0;
        return SentencePieceTokenizer.Create(patched, addBeginningOfSentence: false, addEndOfSentence: true);
    }

    private static ByteString Message(Action<CodedOutputStream> write)
    {
        using var buffer = new MemoryStream();
        using (var output = new CodedOutputStream(buffer, leaveOpen: true))
        {
            write(output);
        }

        return ByteString.CopyFrom(buffer.ToArray());
    }
}
