using Google.Protobuf;
using Microsoft.ML.Tokenizers;

namespace Flux.Inference.Text;

/// <summary>
/// T5 v1.1 SentencePiece unigram (FLUX.1's second text encoder): <see cref="MaxLength"/> ids, at most
/// MaxLength - 1 content ids, then <c>&lt;/s&gt;</c>, padded with the pad id (0 for T5) (DESIGN section 3).
/// No beginning-of-sentence token is emitted; a model with bos_id = -1 (FLUX's) loads through
/// <see cref="SentencePieceModelFile.WithBeginOfSentencePiece"/>. Thread-safe; create once and share.
/// </summary>
public sealed class T5Tokenizer : FixedLengthTokenizer
{
    /// <summary>The smallest usable length: one content id and <c>&lt;/s&gt;</c>.</summary>
    public const int MinLength = 2;

    /// <summary>FLUX.1 [schnell]'s T5 length.</summary>
    public const int SchnellLength = 256;

    /// <summary>FLUX.1 [dev]'s T5 length.</summary>
    public const int DevLength = 512;

    private readonly SentencePieceTokenizer _sentencePiece;

    private T5Tokenizer(SentencePieceTokenizer sentencePiece, int maxLength, int endOfSentenceId, int padId)
    {
        _sentencePiece = sentencePiece;
        MaxLength = maxLength;
        EndOfSentenceId = endOfSentenceId;
        PadId = padId;
    }

    /// <summary>Ids per prompt.</summary>
    public int MaxLength { get; }

    /// <inheritdoc/>
    public override int Length => MaxLength;

    /// <summary>The id of <c>&lt;/s&gt;</c>, from the model's trainer_spec.eos_id.</summary>
    public int EndOfSentenceId { get; }

    /// <summary>The padding id: the model's trainer_spec.pad_id, or else its <c>&lt;pad&gt;</c> piece.</summary>
    public int PadId { get; }

    /// <summary>Loads a SentencePiece model (<c>spiece.model</c>) and fixes the sequence length.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxLength"/> is below <see cref="MinLength"/>.</exception>
    /// <exception cref="FileNotFoundException">The file is missing (the message names it).</exception>
    /// <exception cref="InvalidDataException">The file is not a usable SentencePiece model (the message names it and says why).</exception>
    public static T5Tokenizer FromFile(string spieceModel, int maxLength)
    {
        ArgumentException.ThrowIfNullOrEmpty(spieceModel);
        if (maxLength < MinLength)
        {
            throw new ArgumentOutOfRangeException(
                nameof(maxLength), maxLength, $"T5 max length {maxLength} is too small; it must be at least {MinLength} (one content token and </s>).");
        }

        TokenizerFiles.EnsureExists(spieceModel, "T5 SentencePiece model");
        var model = ReadModel(spieceModel);
        if (model.EndOfSentenceId < 0 || model.EndOfSentenceId >= model.Pieces.Count)
        {
            throw new InvalidDataException(
                $"T5 SentencePiece model '{spieceModel}' has eos_id {model.EndOfSentenceId}, which names none of its {model.Pieces.Count} pieces.");
        }

        if (model.PadId < 0 || model.PadId >= model.Pieces.Count)
        {
            throw new InvalidDataException(
                $"T5 SentencePiece model '{spieceModel}' has no pad piece: pad_id is {model.PadId} and there is no <pad> piece.");
        }

        var loadable = model.WithBeginOfSentencePiece();
        try
        {
            using var stream = new MemoryStream(loadable.Bytes, writable: false);
            var sentencePiece = SentencePieceTokenizer.Create(stream, addBeginningOfSentence: false, addEndOfSentence: false);
            return new T5Tokenizer(sentencePiece, maxLength, model.EndOfSentenceId, model.PadId);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or NotSupportedException or FormatException)
        {
            throw new InvalidDataException($"T5 SentencePiece model '{spieceModel}' could not be loaded: {e.Message}", e);
        }
    }

    /// <inheritdoc/>
    protected override string Name => "T5";

    /// <inheritdoc/>
    protected override void EncodeTrimmed(ReadOnlySpan<char> prompt, Span<long> destination)
    {
        var content = _sentencePiece.EncodeToIds(
            prompt, addBeginningOfSentence: false, addEndOfSentence: false, considerPreTokenization: true, considerNormalization: true);
        // Microsoft.ML.Tokenizers emits one unknown id per unknown character; SentencePiece (and Hugging Face's
        // Unigram, which FLUX pipelines use) emit one per run of them.
        int kept = SequenceLayout.CopyTruncated(content, destination[..(MaxLength - 1)], fusedId: _sentencePiece.UnknownId);
        destination[kept] = EndOfSentenceId;
        destination[(kept + 1)..].Fill(PadId);
    }

    private static SentencePieceModelFile ReadModel(string path)
    {
        try
        {
            return SentencePieceModelFile.Parse(File.ReadAllBytes(path));
        }
        catch (Exception e) when (e is InvalidProtocolBufferException or InvalidDataException)
        {
            throw new InvalidDataException($"T5 SentencePiece model '{path}' is damaged or not a SentencePiece model: {e.Message}", e);
        }
    }
}
