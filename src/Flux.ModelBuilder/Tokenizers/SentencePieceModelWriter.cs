using Google.Protobuf;

namespace Flux.ModelBuilder.Tokenizers;

/// <summary>
/// Writes a small T5-style SentencePiece unigram model (<c>spiece.model</c>, sentencepiece_model.proto)
/// with T5's special ids: pad 0, eos 1, unk 2 and no bos (bos_id = -1), so readers exercise that path.
/// Pieces are the caption words of the built-in image set, common English words, and single
/// characters as a fallback; scores prefer whole words.
/// </summary>
public static class SentencePieceModelWriter
{
    public const int PadId = 0;
    public const int EosId = 1;
    public const int UnkId = 2;
    public const int BosId = -1;

    /// <summary>SentencePiece's word-boundary marker (U+2581).</summary>
    public const string WordBoundary = "\u2581";

    private const float WordScore = -5f;
    private const float WordScoreStep = -0.01f;
    private const float CharacterScore = -12f;

    private enum PieceType
    {
        Normal = 1,
        Unknown = 2,
        Control = 3,
    }

    private const string Characters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.,!?'\"-:;()/&";

    private static readonly string[] Words =
    [
        "a", "an", "the", "on", "of", "in", "with", "and", "background", "circle", "square", "triangle",
        "red", "green", "blue", "yellow", "black", "white", "orange", "purple", "pink", "brown", "gray",
        "photo", "picture", "image", "painting", "drawing", "cat", "dog", "bird", "tree", "house", "car",
        "sky", "sun", "moon", "star", "water", "sea", "mountain", "flower", "city", "street", "man", "woman",
        "child", "people", "is", "are", "at", "by", "for", "from", "to", "under", "over", "big", "small",
        "large", "little", "old", "new", "bright", "dark", "light", "beautiful", "happy", "night", "day",
        "shape", "color", "style", "art", "high", "quality", "detailed", "portrait", "landscape", "forest",
    ];

    /// <summary>The pieces in id order.</summary>
    public static IReadOnlyList<string> PieceList { get; } = [.. Pieces().Select(p => p.Piece)];

    /// <summary>Number of pieces in the written model.</summary>
    public static int VocabularySize => PieceList.Count;

    public static void Write(string path)
    {
        using var stream = File.Create(path);
        stream.Write(Serialize());
    }

    public static byte[] Serialize()
    {
        var pieces = Pieces().ToList();
        return Message(output =>
        {
            foreach (var (piece, score, type) in pieces)
            {
                output.WriteTag(1, WireFormat.WireType.LengthDelimited); // ModelProto.pieces
                output.WriteBytes(ByteString.CopyFrom(Message(p =>
                {
                    p.WriteTag(1, WireFormat.WireType.LengthDelimited);
                    p.WriteString(piece);
                    p.WriteTag(2, WireFormat.WireType.Fixed32);
                    p.WriteFloat(score);
                    p.WriteTag(3, WireFormat.WireType.Varint);
                    p.WriteEnum((int)type);
                })));
            }

            output.WriteTag(2, WireFormat.WireType.LengthDelimited); // ModelProto.trainer_spec
            output.WriteBytes(ByteString.CopyFrom(Message(t => TrainerSpec(t, pieces.Count))));
            output.WriteTag(3, WireFormat.WireType.LengthDelimited); // ModelProto.normalizer_spec
            output.WriteBytes(ByteString.CopyFrom(Message(NormalizerSpec)));
        });
    }

    private static IEnumerable<(string Piece, float Score, PieceType Type)> Pieces()
    {
        yield return ("<pad>", 0f, PieceType.Control);
        yield return ("</s>", 0f, PieceType.Control);
        yield return ("<unk>", 0f, PieceType.Unknown);
        yield return (WordBoundary, CharacterScore, PieceType.Normal);
        for (var i = 0; i < Words.Length; i++)
        {
            yield return (WordBoundary + Words[i], WordScore + i * WordScoreStep, PieceType.Normal);
        }

        foreach (var c in Characters)
        {
            if (!Words.Contains(c.ToString()))
            {
                yield return (WordBoundary + c, CharacterScore + 1f, PieceType.Normal); // "a" is already a word
            }

            yield return (c.ToString(), CharacterScore, PieceType.Normal);
        }
    }

    private static void TrainerSpec(CodedOutputStream t, int vocabularySize)
    {
        WriteString(t, 2, "flux-tiny-t5"); // model_prefix
        t.WriteTag(3, WireFormat.WireType.Varint);
        t.WriteEnum(1); // model_type = UNIGRAM
        WriteInt(t, 4, vocabularySize);
        WriteInt(t, 40, UnkId);
        WriteInt(t, 41, BosId);
        WriteInt(t, 42, EosId);
        WriteInt(t, 43, PadId);
        WriteString(t, 45, "<unk>");
        WriteString(t, 46, "<s>");
        WriteString(t, 47, "</s>");
        WriteString(t, 48, "<pad>");
    }

    private static void NormalizerSpec(CodedOutputStream n)
    {
        WriteString(n, 1, "identity"); // name; no precompiled charsmap
        WriteBool(n, 3, true); // add_dummy_prefix
        WriteBool(n, 4, true); // remove_extra_whitespaces
        WriteBool(n, 5, true); // escape_whitespaces
    }

    private static void WriteInt(CodedOutputStream output, int field, int value)
    {
        output.WriteTag(field, WireFormat.WireType.Varint);
        output.WriteInt32(value);
    }

    private static void WriteBool(CodedOutputStream output, int field, bool value)
    {
        output.WriteTag(field, WireFormat.WireType.Varint);
        output.WriteBool(value);
    }

    private static void WriteString(CodedOutputStream output, int field, string value)
    {
        output.WriteTag(field, WireFormat.WireType.LengthDelimited);
        output.WriteString(value);
    }

    private static byte[] Message(Action<CodedOutputStream> write)
    {
        using var buffer = new MemoryStream();
        using (var output = new CodedOutputStream(buffer, leaveOpen: true))
        {
            write(output);
        }

        return buffer.ToArray();
    }
}
