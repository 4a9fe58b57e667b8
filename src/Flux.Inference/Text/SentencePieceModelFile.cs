using Google.Protobuf;

namespace Flux.Inference.Text;

/// <summary>
/// Reads and patches a SentencePiece <c>ModelProto</c> (sentencepiece_model.proto) on its known field numbers.
/// The patch exists because FLUX's T5 model has <c>trainer_spec.bos_id = -1</c>, which makes
/// Microsoft.ML.Tokenizers' <c>SentencePieceTokenizer.Create</c> fail (still in 3.0.0: IndexOutOfRangeException, see
/// SentencePieceBosTests); <see cref="WithBeginOfSentencePiece"/>
/// appends a <c>&lt;s&gt;</c> CONTROL piece and points bos_id at it (DESIGN section 4). The piece is never emitted:
/// the T5 tokenizer encodes without a beginning-of-sentence token.
/// </summary>
internal sealed class SentencePieceModelFile
{
    // ModelProto
    private const int PiecesField = 1;
    private const int TrainerSpecField = 2;

    // ModelProto.SentencePiece
    private const int PieceTextField = 1;
    private const int PieceScoreField = 2;
    private const int PieceTypeField = 3;
    private const int ControlPieceType = 3;

    // TrainerSpec (defaults as in sentencepiece_model.proto)
    private const int UnknownIdField = 40;
    private const int BeginOfSentenceIdField = 41;
    private const int EndOfSentenceIdField = 42;
    private const int PadIdField = 43;
    private const int PadPieceField = 48;
    private const int DefaultUnknownId = 0;
    private const int DefaultBeginOfSentenceId = 1;
    private const int DefaultEndOfSentenceId = 2;
    private const int DefaultPadId = -1;
    private const string DefaultPadPiece = "<pad>";

    public const string BeginOfSentencePiece = "<s>";

    private readonly List<string> _pieces;

    private SentencePieceModelFile(byte[] bytes, List<string> pieces, ByteString trainerSpec)
    {
        Bytes = bytes;
        _pieces = pieces;
        TrainerSpec = trainerSpec;
        var ids = ReadTrainerIds(trainerSpec);
        UnknownId = ids.Unknown;
        BeginOfSentenceId = ids.BeginOfSentence;
        EndOfSentenceId = ids.EndOfSentence;
        PadId = ids.Pad >= 0 ? ids.Pad : pieces.IndexOf(ids.PadPiece);
    }

    /// <summary>The serialized model.</summary>
    public byte[] Bytes { get; }

    /// <summary>Piece texts by id.</summary>
    public IReadOnlyList<string> Pieces => _pieces;

    private ByteString TrainerSpec { get; }

    public int UnknownId { get; }

    public int BeginOfSentenceId { get; }

    public int EndOfSentenceId { get; }

    /// <summary>trainer_spec.pad_id, or else the id of the pad piece (<c>&lt;pad&gt;</c>); -1 when there is neither.</summary>
    public int PadId { get; }

    /// <summary>
    /// Parses a serialized ModelProto; throws <see cref="InvalidProtocolBufferException"/> on damaged data and
    /// <see cref="InvalidDataException"/> when the message parses but holds no pieces.
    /// </summary>
    public static SentencePieceModelFile Parse(byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        var pieces = new List<string>();
        var trainerSpec = ByteString.Empty;
        var input = new CodedInputStream(bytes);
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case PiecesField:
                    pieces.Add(ReadPieceText(input.ReadBytes()));
                    break;
                case TrainerSpecField:
                    trainerSpec = input.ReadBytes();
                    break;
                default:
                    input.SkipLastField();
                    break;
            }
        }

        if (pieces.Count == 0)
        {
            throw new InvalidDataException("the model holds no pieces");
        }

        return new SentencePieceModelFile(bytes, pieces, trainerSpec);
    }

    /// <summary>
    /// This model if its bos_id names a piece; otherwise a copy whose trainer_spec.bos_id names a <c>&lt;s&gt;</c>
    /// piece: the existing one, or else a CONTROL piece appended with id = piece count. Every other field is
    /// copied unchanged.
    /// </summary>
    public SentencePieceModelFile WithBeginOfSentencePiece()
    {
        if (BeginOfSentenceId >= 0 && BeginOfSentenceId < Pieces.Count)
        {
            return this;
        }

        int existing = _pieces.IndexOf(BeginOfSentencePiece);
        return existing >= 0
            ? Rewritten(existing, appendBeginOfSentencePiece: false)
            : Rewritten(Pieces.Count, appendBeginOfSentencePiece: true);
    }

    /// <summary>A copy with trainer_spec.bos_id set to <paramref name="id"/> (tests write FLUX's bos_id = -1 with it).</summary>
    public SentencePieceModelFile WithBeginOfSentenceId(int id) => Rewritten(id, appendBeginOfSentencePiece: false);

    private SentencePieceModelFile Rewritten(int beginOfSentenceId, bool appendBeginOfSentencePiece)
    {
        using var buffer = new MemoryStream(Bytes.Length + 64);
        var output = new CodedOutputStream(buffer);
        var input = new CodedInputStream(Bytes);
        bool trainerSpecWritten = false;
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            if (WireFormat.GetTagFieldNumber(tag) == TrainerSpecField)
            {
                WriteMessageField(output, TrainerSpecField, WithInt32Field(input.ReadBytes(), BeginOfSentenceIdField, beginOfSentenceId));
                trainerSpecWritten = true;
            }
            else
            {
                CopyField(input, output, tag);
            }
        }

        if (!trainerSpecWritten)
        {
            WriteMessageField(output, TrainerSpecField, WithInt32Field(ByteString.Empty, BeginOfSentenceIdField, beginOfSentenceId));
        }

        if (appendBeginOfSentencePiece)
        {
            // Repeated fields keep the order of appearance, so a piece written last gets the next id.
            WriteMessageField(output, PiecesField, ControlPiece(BeginOfSentencePiece));
        }

        output.Flush();
        return Parse(buffer.ToArray());
    }

    private static string ReadPieceText(ByteString piece)
    {
        var input = piece.CreateCodedInput();
        string text = string.Empty;
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            if (WireFormat.GetTagFieldNumber(tag) == PieceTextField)
            {
                text = input.ReadString();
            }
            else
            {
                input.SkipLastField();
            }
        }

        return text;
    }

    private static (int Unknown, int BeginOfSentence, int EndOfSentence, int Pad, string PadPiece) ReadTrainerIds(ByteString trainerSpec)
    {
        var ids = (Unknown: DefaultUnknownId, BeginOfSentence: DefaultBeginOfSentenceId, EndOfSentence: DefaultEndOfSentenceId, Pad: DefaultPadId, PadPiece: DefaultPadPiece);
        var input = trainerSpec.CreateCodedInput();
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case UnknownIdField: ids.Unknown = input.ReadInt32(); break;
                case BeginOfSentenceIdField: ids.BeginOfSentence = input.ReadInt32(); break;
                case EndOfSentenceIdField: ids.EndOfSentence = input.ReadInt32(); break;
                case PadIdField: ids.Pad = input.ReadInt32(); break;
                case PadPieceField: ids.PadPiece = input.ReadString(); break;
                default: input.SkipLastField(); break;
            }
        }

        return ids;
    }

    /// <summary>The message with every occurrence of an int32 field dropped and the field written once with <paramref name="value"/>.</summary>
    private static ByteString WithInt32Field(ByteString message, int field, int value)
    {
        using var buffer = new MemoryStream(message.Length + 16);
        var output = new CodedOutputStream(buffer);
        var input = message.CreateCodedInput();
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            if (WireFormat.GetTagFieldNumber(tag) == field)
            {
                input.SkipLastField();
            }
            else
            {
                CopyField(input, output, tag);
            }
        }

        output.WriteTag(field, WireFormat.WireType.Varint);
        output.WriteInt32(value);
        output.Flush();
        return ByteString.CopyFrom(buffer.ToArray());
    }

    private static ByteString ControlPiece(string text)
    {
        using var buffer = new MemoryStream();
        var output = new CodedOutputStream(buffer);
        output.WriteTag(PieceTextField, WireFormat.WireType.LengthDelimited);
        output.WriteString(text);
        output.WriteTag(PieceScoreField, WireFormat.WireType.Fixed32);
        output.WriteFloat(0f);
        output.WriteTag(PieceTypeField, WireFormat.WireType.Varint);
        output.WriteEnum(ControlPieceType);
        output.Flush();
        return ByteString.CopyFrom(buffer.ToArray());
    }

    private static void WriteMessageField(CodedOutputStream output, int field, ByteString message)
    {
        output.WriteTag(field, WireFormat.WireType.LengthDelimited);
        output.WriteBytes(message);
    }

    /// <summary>Copies the field whose tag was just read, value unchanged.</summary>
    private static void CopyField(CodedInputStream input, CodedOutputStream output, uint tag)
    {
        output.WriteTag(tag);
        switch (WireFormat.GetTagWireType(tag))
        {
            case WireFormat.WireType.Varint: output.WriteUInt64(input.ReadUInt64()); break;
            case WireFormat.WireType.Fixed64: output.WriteFixed64(input.ReadFixed64()); break;
            case WireFormat.WireType.LengthDelimited: output.WriteBytes(input.ReadBytes()); break;
            case WireFormat.WireType.Fixed32: output.WriteFixed32(input.ReadFixed32()); break;
            default: throw new InvalidDataException($"unsupported wire type {WireFormat.GetTagWireType(tag)} in field {WireFormat.GetTagFieldNumber(tag)}");
        }
    }
}
