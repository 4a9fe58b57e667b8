using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

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

    /// <summary>Values one SIMD step quantizes and packs into 8 bytes; every block size (16 to 256) is a multiple of it.</summary>
    private const int Group = 16;

    /// <summary>
    /// Writes <paramref name="row"/>'s (K values) packed blocks, per-block scales and packed zero points, byte for byte
    /// what <see cref="QuantizeRowScalar"/> writes. Vectorized (Vector256 on x64 with AVX2, else Vector128): the scalar
    /// loop was about half of an int4 import's time (docs/benchmarks.md, "Import (issue 12)"); this is 4 to 7 times faster at blocks 64 and 128.
    /// The zero-padded short last block and blocks holding NaN go through the scalar loop (one block each), so the
    /// SIMD path only ever sees full blocks of numbers.
    /// </summary>
    public static void QuantizeRow(ReadOnlySpan<float> row, int blockSize, Span<byte> packed, Span<float> scales, Span<byte> zeroPoints) =>
        QuantizeRow(row, blockSize, packed, scales, zeroPoints, wide: Vector256.IsHardwareAccelerated);

    /// <summary><see cref="QuantizeRow(ReadOnlySpan{float}, int, Span{byte}, Span{float}, Span{byte})"/> with eight lanes (<paramref name="wide"/>) or four, so tests check both on any machine.</summary>
    internal static void QuantizeRow(ReadOnlySpan<float> row, int blockSize, Span<byte> packed, Span<float> scales, Span<byte> zeroPoints, bool wide)
    {
        if (!Vector128.IsHardwareAccelerated || !BitConverter.IsLittleEndian || blockSize % Group != 0)
        {
            QuantizeRowScalar(row, blockSize, packed, scales, zeroPoints);
            return;
        }

        zeroPoints.Clear();
        Span<byte> oneZeroPoint = stackalloc byte[1];
        for (var b = 0; b < scales.Length; b++)
        {
            var start = b * blockSize;
            var blob = packed.Slice(b * (blockSize / 2), blockSize / 2);
            if (start + blockSize > row.Length || !TryQuantizeBlock(row.Slice(start, blockSize), blob, wide, out scales[b], out var zeroPoint))
            {
                QuantizeRowScalar(row[start..Math.Min(row.Length, start + blockSize)], blockSize, blob, scales.Slice(b, 1), oneZeroPoint);
                zeroPoint = oneZeroPoint[0];
            }

            zeroPoints[b / 2] |= (byte)(b % 2 == 0 ? zeroPoint : zeroPoint << 4);
        }
    }

    /// <summary>
    /// The plain loop, as the summary's formulas read: the reference <see cref="QuantizeRow"/> is tested against
    /// (BlockQuantizerTests), and its fallback on machines without SIMD and for blocks it leaves to this loop.
    /// </summary>
    internal static void QuantizeRowScalar(ReadOnlySpan<float> row, int blockSize, Span<byte> packed, Span<float> scales, Span<byte> zeroPoints)
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

            var (scale, zeroPoint, reciprocal) = Grid(min, max);
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

    /// <summary>A block's step and zero point from its range widened to include 0 (range2scalezp); a zero range gives scale 0, zero point 0.</summary>
    private static (float Scale, int ZeroPoint, float Reciprocal) Grid(float min, float max)
    {
        var scale = (max - min) / MaxLevel;
        var zeroPoint = scale == 0f ? 0 : (int)Math.Clamp(MathF.Round(-min / scale, MidpointRounding.AwayFromZero), 0, MaxLevel);
        var reciprocal = scale == 0f ? 0f : 1f / scale;
        return (scale, zeroPoint, reciprocal);
    }

    /// <summary>
    /// One full block through SIMD; false (nothing written) when it holds a NaN. Min and Max are IEEE 754
    /// minimum/maximum like Math.Min/Max, so the reduction order cannot change the range (-0 below +0), and a NaN
    /// anywhere reaches the maximum; its block is left to the scalar loop, whose NaN scale is the one to keep.
    /// </summary>
    private static bool TryQuantizeBlock(ReadOnlySpan<float> values, Span<byte> blob, bool wide, out float scale, out int zeroPoint)
    {
        var (min, max) = Range(values, wide);
        if (float.IsNaN(max))
        {
            (scale, zeroPoint) = (0f, 0);
            return false;
        }

        (scale, zeroPoint, var reciprocal) = Grid(min, max);
        for (int i = 0, j = 0; i < values.Length; i += Group, j += Group / 2)
        {
            var pairs = Levels(values.Slice(i, Group), reciprocal, zeroPoint, wide).AsUInt16();   // (first | second << 8): the packed byte is first | second << 4
            var nibbles = Vector128.Narrow(pairs | Vector128.ShiftRightLogical(pairs, 4), pairs);   // narrowing keeps the low byte
            MemoryMarshal.Write(blob[j..], nibbles.AsUInt64().ToScalar());
        }

        return true;
    }

    /// <summary>min(0, values) and max(0, values), eight lanes at a time or four.</summary>
    private static (float Min, float Max) Range(ReadOnlySpan<float> values, bool wide)
    {
        Vector128<float> min = Vector128<float>.Zero, max = Vector128<float>.Zero;
        if (wide)
        {
            Vector256<float> min8 = Vector256<float>.Zero, max8 = Vector256<float>.Zero;
            for (var i = 0; i < values.Length; i += Vector256<float>.Count)
            {
                var v = Vector256.Create(values.Slice(i, Vector256<float>.Count));
                min8 = Vector256.Min(min8, v);
                max8 = Vector256.Max(max8, v);
            }

            (min, max) = (Vector128.Min(min8.GetLower(), min8.GetUpper()), Vector128.Max(max8.GetLower(), max8.GetUpper()));
        }
        else
        {
            for (var i = 0; i < values.Length; i += Vector128<float>.Count)
            {
                var v = Vector128.Create(values.Slice(i, Vector128<float>.Count));
                min = Vector128.Min(min, v);
                max = Vector128.Max(max, v);
            }
        }

        return (Math.Min(Math.Min(min[0], min[1]), Math.Min(min[2], min[3])), Math.Max(Math.Max(max[0], max[1]), Math.Max(max[2], max[3])));
    }

    /// <summary>The <see cref="Group"/> values' levels as 16 bytes in order.</summary>
    private static Vector128<byte> Levels(ReadOnlySpan<float> group, float reciprocal, int zeroPoint, bool wide)
    {
        if (wide)
        {
            var (step8, offset8) = (Vector256.Create(reciprocal), Vector256.Create((float)zeroPoint));
            var levels = Vector256.Narrow(Level(Vector256.Create(group[..8]), step8, offset8), Level(Vector256.Create(group[8..]), step8, offset8));
            return Vector128.Narrow(levels.GetLower(), levels.GetUpper());
        }

        var (step, offset) = (Vector128.Create(reciprocal), Vector128.Create((float)zeroPoint));
        return Vector128.Narrow(
            Vector128.Narrow(Level(Vector128.Create(group[..4]), step, offset), Level(Vector128.Create(group[4..8]), step, offset)),
            Vector128.Narrow(Level(Vector128.Create(group[8..12]), step, offset), Level(Vector128.Create(group[12..]), step, offset)));
    }

    /// <summary>
    /// clamp(round(v · step + offset), 0, 15) per lane, rounding half away from zero exactly as MathF.Round does.
    /// Clamping first (NaN to 0, as the scalar cast gives) commutes with rounding because 0 and 15 are integers; then
    /// x - trunc(x) is exact, so comparing it with 0.5 rounds every float right (floor(x + 0.5) would not: 0.49999997
    /// + 0.5 rounds to 1 in float).
    /// </summary>
    private static Vector128<uint> Level(Vector128<float> v, Vector128<float> step, Vector128<float> offset)
    {
        var x = v * step + offset;   // separate multiply and add, like the scalar loop (the JIT fuses neither)
        x = Vector128.ConditionalSelect(Vector128.GreaterThan(x, Vector128<float>.Zero), x, Vector128<float>.Zero);
        x = Vector128.Min(x, Vector128.Create((float)MaxLevel));
        var whole = Vector128.Truncate(x);
        var roundsUp = Vector128.GreaterThanOrEqual(x - whole, Vector128.Create(0.5f)).AsInt32();   // all ones = -1
        return (Vector128.ConvertToInt32Native(whole) - roundsUp).AsUInt32();   // whole is 0..15: the native conversion is exact
    }

    /// <summary><see cref="Level(Vector128{float}, Vector128{float}, Vector128{float})"/> on eight lanes.</summary>
    private static Vector256<uint> Level(Vector256<float> v, Vector256<float> step, Vector256<float> offset)
    {
        var x = v * step + offset;
        x = Vector256.ConditionalSelect(Vector256.GreaterThan(x, Vector256<float>.Zero), x, Vector256<float>.Zero);
        x = Vector256.Min(x, Vector256.Create((float)MaxLevel));
        var whole = Vector256.Truncate(x);
        var roundsUp = Vector256.GreaterThanOrEqual(x - whole, Vector256.Create(0.5f)).AsInt32();
        return (Vector256.ConvertToInt32Native(whole) - roundsUp).AsUInt32();
    }
}
