using Flux.Inference.Text;
using Flux.ModelBuilder.Tokenizers;
using Google.Protobuf;
using Microsoft.ML.Tokenizers;

namespace Flux.ModelBuilder.Tests;

[Collection(PackagesCollection.Name)]
public sealed class TokenizerFileTests(PackagesFixture packages)
{
    private string Spiece => Path.Combine(packages.Tiny, "tokenizer_2/spiece.model");

    [Fact]
    public void SpieceModel_HasT5SpecialIds_AndNoBos_SoUnpatchedLoadingFails()
    {
        var (pieces, specialIds) = ReadModel(File.ReadAllBytes(Spiece));
        Assert.Equal(new Dictionary<int, int> { [40] = 2, [41] = -1, [42] = 1, [43] = 0 }, specialIds); // unk, bos, eos, pad
        Assert.Equal(SentencePieceModelWriter.PieceList, pieces);
        Assert.Equal(["<pad>", "</s>", "<unk>"], pieces[..3]);
        Assert.Equal(pieces.Count, pieces.Distinct().Count());

        // Microsoft.ML.Tokenizers 2.0.1 cannot load a model with bos_id = -1 (DESIGN section 4): the real code path.
        using var stream = File.OpenRead(Spiece);
        Assert.ThrowsAny<Exception>(() => SentencePieceTokenizer.Create(stream, addBeginningOfSentence: false, addEndOfSentence: true));
    }

    [Fact]
    public void T5Tokenizer_OnThePackage_EncodesWholeWordsThenEosThenPadding()
    {
        var tokenizer = T5Tokenizer.FromFile(Spiece, maxLength: 12);
        var ids = tokenizer.Encode("  a red circle on a blue background ");

        string[] words = ["a", "red", "circle", "on", "a", "blue", "background"];
        var pieces = SentencePieceModelWriter.PieceList.ToList();
        long[] expected = [.. words.Select(w => (long)pieces.IndexOf(SentencePieceModelWriter.WordBoundary + w)), SentencePieceModelWriter.EosId, 0, 0, 0, 0];
        Assert.Equal(expected, ids);
    }

    [Fact]
    public void T5Tokenizer_OnThePackage_SpellsUnknownWordsWithCharacterPieces()
    {
        var tokenizer = T5Tokenizer.FromFile(Spiece, maxLength: 8);
        var pieces = SentencePieceModelWriter.PieceList.ToList();
        long[] expected = [.. new[] { "\u2581z", "e", "b", "r", "a" }.Select(p => (long)pieces.IndexOf(p)), SentencePieceModelWriter.EosId, 0, 0];
        Assert.Equal(expected, tokenizer.Encode("zebra"));
    }

    [Fact]
    public void ClipTokenizer_OnThePackage_GivesTheRealClipIds()
    {
        var tokenizer = ClipTokenizer.FromFiles(Path.Combine(packages.Reference, "tokenizer/vocab.json"), Path.Combine(packages.Reference, "tokenizer/merges.txt"));
        var ids = tokenizer.Encode("a photo of a cat");
        Assert.Equal([49406L, 320, 1125, 539, 320, 2368, 49407], ids[..7]);
        Assert.Equal([320L, 1125, 539, 320, 2368], new[] { "a", "photo", "of", "a", "cat" }.Select(ClipVocabulary.WordId));
    }

    /// <summary>The piece strings and trainer_spec's id fields (40 unk, 41 bos, 42 eos, 43 pad) as the file holds them.</summary>
    private static (List<string> Pieces, Dictionary<int, int> SpecialIds) ReadModel(byte[] bytes)
    {
        var pieces = new List<string>();
        var ids = new Dictionary<int, int>();
        var input = new CodedInputStream(bytes);
        for (uint tag; (tag = input.ReadTag()) != 0;)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1:
                    var piece = new CodedInputStream(input.ReadBytes().ToByteArray());
                    pieces.Add(piece.ReadTag() == WireFormat.MakeTag(1, WireFormat.WireType.LengthDelimited) ? piece.ReadString() : string.Empty);
                    break;
                case 2:
                    var spec = new CodedInputStream(input.ReadBytes().ToByteArray());
                    for (uint specTag; (specTag = spec.ReadTag()) != 0;)
                    {
                        var field = WireFormat.GetTagFieldNumber(specTag);
                        if (field is >= 40 and <= 43)
                        {
                            ids[field] = spec.ReadInt32();
                        }
                        else
                        {
                            spec.SkipLastField();
                        }
                    }

                    break;
                default:
                    input.SkipLastField();
                    break;
            }
        }

        return (pieces, ids);
    }
}
