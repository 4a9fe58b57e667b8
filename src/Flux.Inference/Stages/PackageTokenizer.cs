using Flux.Inference.Packages;
using Flux.Inference.Text;

namespace Flux.Inference.Stages;

/// <summary>The package's CLIP BPE and T5 SentencePiece tokenizers (T5 length from the package).</summary>
internal sealed class PackageTokenizer : IPromptTokenizer
{
    private readonly ClipTokenizer _clip;
    private readonly T5Tokenizer _t5;

    private PackageTokenizer(ClipTokenizer clip, T5Tokenizer t5, int t5Length)
    {
        _clip = clip;
        _t5 = t5;
        T5Length = t5Length;
    }

    public int ClipLength => ClipTokenizer.SequenceLength;

    public int T5Length { get; }

    public static PackageTokenizer Load(ModelPackage package) => new(
        Read(package.Files.ClipVocab, $" (with {package.Files.ClipMerges})", () => ClipTokenizer.FromFiles(package.Files.ClipVocab, package.Files.ClipMerges)),
        Read(package.Files.T5SentencePiece, "", () => T5Tokenizer.FromFile(package.Files.T5SentencePiece, package.T5MaxLength)),
        package.T5MaxLength);

    /// <summary>
    /// A damaged tokenizer file surfaces as whatever its parser throws (JSON, protobuf, format errors);
    /// it becomes the package's <see cref="FluxModelException"/> naming the file, like a damaged model.
    /// </summary>
    private static T Read<T>(string file, string alongWith, Func<T> load)
    {
        try
        {
            return load();
        }
        catch (Exception e) when (e is not FluxModelException and not OutOfMemoryException and not OperationCanceledException)
        {
            throw new FluxModelException($"tokenizer file {file}{alongWith} is damaged or not in the expected format: {e.Message}", file, null, e);
        }
    }

    public void EncodeClip(string prompt, Span<long> destination) => _clip.Encode(prompt, destination);

    public void EncodeT5(string prompt, Span<long> destination) => _t5.Encode(prompt, destination);
}
