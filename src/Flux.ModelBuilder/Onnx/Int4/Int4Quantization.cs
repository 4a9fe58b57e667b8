namespace Flux.ModelBuilder.Onnx.Int4;

/// <summary>
/// 4-bit block quantization of linear weights for ONNX Runtime's <c>com.microsoft.MatMulNBits</c> (CPU and CUDA
/// kernels): each output row's K inputs split into blocks of <see cref="BlockSize"/>, one fp32 scale and one
/// 4-bit zero point per block (asymmetric, ONNX Runtime's default: matmul_nbits_quantizer.py
/// <c>DefaultWeightOnlyQuantConfig(is_symmetric=False)</c>). Smaller blocks: lower error, more bytes.
/// </summary>
public sealed record Int4Quantization
{
    /// <summary>Block sizes MatMulNBits accepts (a power of two, at least 16) that this builder writes.</summary>
    public static IReadOnlyList<int> BlockSizes { get; } = [16, 32, 64, 128, 256];

    /// <summary>The block size used when none is named: 64 (error and size between ORT's 32 and its default 128).</summary>
    public const int DefaultBlockSize = 64;

    public int BlockSize { get; init; } = DefaultBlockSize;

    /// <summary>
    /// MatMulNBits' <c>accuracy_level</c>: 0 computes with A as given (fp32); 4 lets the CPU kernel quantize A to
    /// int8 per block, faster but less exact. Allowed: 0 to 4.
    /// </summary>
    public int AccuracyLevel { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> naming the field out of range.</summary>
    public void Validate()
    {
        if (!BlockSizes.Contains(BlockSize))
        {
            throw new ArgumentException($"{nameof(BlockSize)} {BlockSize} is out of range; allowed: {string.Join(", ", BlockSizes)}.", nameof(BlockSize));
        }

        if (AccuracyLevel is < 0 or > 4)
        {
            throw new ArgumentException($"{nameof(AccuracyLevel)} {AccuracyLevel} is out of range; allowed: 0..4.", nameof(AccuracyLevel));
        }
    }
}

/// <summary>Which linear layers of a graph are stored as int4 (by their state-dict prefix), and how.</summary>
internal sealed record LinearQuantization(Int4Quantization Int4, Func<string, bool> Applies);
