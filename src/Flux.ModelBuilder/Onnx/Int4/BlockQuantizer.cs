namespace Flux.ModelBuilder.Onnx.Int4;

/// <summary>
/// The layout of one MatMulNBits weight (onnxruntime docs/ContribOperators.md, <c>com.microsoft.MatMulNBits</c>):
/// B is uint8 (N, blocks, blockSize/2); scales float (N·blocks); zero points uint8 (N·ceil(blocks/2)), packed like B.
/// blocks = ceil(K / blockSize): a K that is not a multiple of the block size ends in a zero-padded block.
/// </summary>
internal readonly record struct Int4Layout(long K, long N, int BlockSize)
{
    public long BlocksPerRow => (K + BlockSize - 1) / BlockSize;

    /// <summary>Bytes per block: two 4-bit values per byte.</summary>
    public int BlobBytes => BlockSize / 2;

    public long PackedBytesPerRow => BlocksPerRow * BlobBytes;

    public long ZeroPointBytesPerRow => (BlocksPerRow + 1) / 2;
}

/// <summary>
/// Quantizes one weight row (PyTorch Linear row n = column n of the (K, N) matrix MatMulNBits multiplies by)
/// to 4-bit blocks. Hand-written because ONNX Runtime's quantizer is Python/C++ only; it restates the
/// asymmetric path of onnxruntime/core/mlas/lib/q4_dq.cpp (<c>range2scalezp</c> and <c>BlockwiseQuantizer::quantizeAndTranspose</c>,
/// reached from matmul_nbits_quantizer.py's <c>quantize_matmul_4bits</c>):
/// the block's range is widened to include 0, scale = (max - min) / 15, zero point = round(-min / scale) in [0, 15],
/// q = clamp(round(v / scale + zero point), 0, 15), rounding half away from zero like C's roundf.
/// Packing (ContribOperators.md): the first value of a pair in the low nibble, the second in the high nibble.
/// Asymmetric rather than symmetric (scale = max|v| / 8, zero point 8): the grid covers exactly [min, max] of
/// every block, so no value is clipped and the round-trip error is at most scale / 2 for every weight, while
/// the symmetric grid [-8, 7]·scale clips a block whose largest magnitude is positive by up to a whole step.
/// </summary>
internal static class BlockQuantizer
{
    public const int MaxLevel = 15;

    /// <summary>
    /// Writes <paramref name="row"/>'s (K values) packed blocks, per-block scales and packed zero points.
    /// </summary>
    public static void QuantizeRow(ReadOnlySpan<float> row, int blockSize, Span<byte> packed, Span<float> scales, Span<byte> zeroPoints)
    {
        var blocks = scales.Length;
        zeroPoints.Clear();
        Span<byte> levels = stackalloc byte[blockSize];
        for (var b = 0; b < blocks; b++)
        {
            var start = b * blockSize;
            var values = row[start..Math.Min(row.Length, start + blockSize)];   // the last block may be short (zero padding)
            float min = 0f, max = 0f;   // range2scalezp: min = min(min, 0), max = max(max, 0)
            foreach (var v in values)
            {
                min = Math.Min(min, v);
                max = Math.Max(max, v);
            }

            var scale = (max - min) / MaxLevel;
            var zeroPoint = scale == 0f ? 0 : (int)Math.Clamp(MathF.Round(-min / scale, MidpointRounding.AwayFromZero), 0, MaxLevel);
            var reciprocal = scale == 0f ? 0f : 1f / scale;
            for (var i = 0; i < blockSize; i++)
            {
                var v = i < values.Length ? values[i] : 0f;
                levels[i] = (byte)Math.Clamp(MathF.Round(v * reciprocal + zeroPoint, MidpointRounding.AwayFromZero), 0, MaxLevel);
            }

            var blob = packed.Slice(b * (blockSize / 2), blockSize / 2);
            for (var j = 0; j < blob.Length; j++)
            {
                blob[j] = (byte)(levels[2 * j] | (levels[2 * j + 1] << 4));
            }

            scales[b] = scale;
            zeroPoints[b / 2] |= (byte)(b % 2 == 0 ? zeroPoint : zeroPoint << 4);
        }
    }
}
