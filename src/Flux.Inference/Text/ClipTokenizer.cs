using System.Text.RegularExpressions;
using Microsoft.ML.Tokenizers;

namespace Flux.Inference.Text;

/// <summary>
/// CLIP ViT-L/14 byte-level BPE (FLUX.1's first text encoder): 77 ids, <c>&lt;|startoftext|&gt;</c> 49406,
/// at most 75 content ids, <c>&lt;|endoftext|&gt;</c> 49407, padded with 49407 (DESIGN section 3).
/// Thread-safe; create once per vocabulary and share.
/// </summary>
public sealed partial class ClipTokenizer : FixedLengthTokenizer
{
    /// <summary>Ids per prompt: start, content, end, padding.</summary>
    public const int SequenceLength = 77;

    /// <summary>Content ids kept after truncation: the sequence minus start and end.</summary>
    public const int MaxContentLength = SequenceLength - 2;

    public const string StartOfTextToken = "<|startoftext|>";
    public const string EndOfTextToken = "<|endoftext|>";
    private const string EndOfWordSuffix = "</w>";

    // CLIP's word split (openai/CLIP simple_tokenizer.py), applied to cleaned, lower-cased text.
    [GeneratedRegex(@"<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex WordSplit();

    private readonly BpeTokenizer _bpe;

    private ClipTokenizer(BpeTokenizer bpe, int startOfTextId, int endOfTextId)
    {
        _bpe = bpe;
        StartOfTextId = startOfTextId;
        EndOfTextId = endOfTextId;
    }

    public int StartOfTextId { get; }

    public int EndOfTextId { get; }

    /// <summary>CLIP pads with the end-of-text id.</summary>
    public int PadId => EndOfTextId;

    /// <inheritdoc/>
    public override int Length => SequenceLength;

    /// <summary>Loads the Hugging Face layout of the vocabulary: <c>vocab.json</c> and <c>merges.txt</c>.</summary>
    /// <exception cref="FileNotFoundException">A file is missing (the message names it).</exception>
    /// <exception cref="InvalidDataException">A file cannot be read as a CLIP vocabulary (the message names it).</exception>
    public static ClipTokenizer FromFiles(string vocabJson, string mergesTxt)
    {
        ArgumentException.ThrowIfNullOrEmpty(vocabJson);
        ArgumentException.ThrowIfNullOrEmpty(mergesTxt);
        TokenizerFiles.EnsureExists(vocabJson, "CLIP vocabulary (vocab.json)");
        TokenizerFiles.EnsureExists(mergesTxt, "CLIP merges (merges.txt)");

        var vocabulary = TokenizerFiles.ReadClipVocabulary(vocabJson);
        int startId = TokenizerFiles.RequireToken(vocabulary, StartOfTextToken, vocabJson);
        int endId = TokenizerFiles.RequireToken(vocabulary, EndOfTextToken, vocabJson);
        var specialTokens = new Dictionary<string, int>(StringComparer.Ordinal)
        {
            [StartOfTextToken] = startId,
            [EndOfTextToken] = endId,
        };

        var options = new BpeOptions(vocabulary)
        {
            Merges = TokenizerFiles.ReadMerges(mergesTxt),
            SpecialTokens = specialTokens,
            Normalizer = ClipNormalizer.Instance,
            PreTokenizer = new RegexPreTokenizer(WordSplit(), specialTokens),
            ByteLevel = true,
            EndOfWordSuffix = EndOfWordSuffix,
            UnknownToken = EndOfTextToken,
        };
        try
        {
            return new ClipTokenizer(BpeTokenizer.Create(options), startId, endId);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"CLIP vocabulary '{vocabJson}' with merges '{mergesTxt}' could not be loaded: {e.Message}", e);
        }
    }

    /// <inheritdoc/>
    protected override string Name => "CLIP";

    /// <inheritdoc/>
    protected override void EncodeTrimmed(ReadOnlySpan<char> prompt, Span<long> destination)
    {
        var content = _bpe.EncodeToIds(prompt, considerPreTokenization: true, considerNormalization: true);
        destination[0] = StartOfTextId;
        int kept = SequenceLayout.CopyTruncated(content, destination.Slice(1, MaxContentLength));
        destination[1 + kept] = EndOfTextId;
        destination[(2 + kept)..].Fill(PadId);
    }
}
