using System.Runtime.InteropServices;
using Flux.ModelBuilder.Onnx;
using Flux.ModelBuilder.Onnx.Int4;
using Onnx;

namespace Flux.ModelBuilder.Tests.Int4;

/// <summary>
/// <see cref="QuantizedLinear"/>'s streaming pass: whatever pieces the weight's writer cuts its bytes into (rows handed
/// over in place, or copied together across pieces), B, scales and zero points are every row quantized in order, and
/// B reaches the file in about 1 MB writes rather than one per row.
/// </summary>
public sealed class QuantizedLinearTests
{
    private const int K = 768;
    private const int N = 3000;   // at block size 16 a row packs to 384 bytes: 2730 rows fill the 1 MB write buffer once, 270 remain
    private const int BlockSize = 16;

    [Theory]
    [InlineData(new[] { int.MaxValue })]                         // one write: every row in place
    [InlineData(new[] { 7, 4096, 1, 3 * K * 4 + 5, 1 << 20 })]   // rows cut anywhere, some in place after a cut
    [InlineData(new[] { K * 4 })]                                // exactly one row per write
    public void WeightWrittenInPieces_GivesEveryRowQuantizedInOrder(int[] pieceBytes)
    {
        var random = new Random(3);
        var weight = Enumerable.Range(0, N * K).Select(_ => (float)(random.NextDouble() * 2 - 1) * 0.05f).ToArray();
        var linear = new QuantizedLinear(new PiecewiseTensorData(weight, [N, K], pieceBytes), BlockSize);
        var layout = linear.Layout;
        var expectedPacked = new byte[N * layout.PackedBytesPerRow];
        var expectedScales = new float[N * layout.BlocksPerRow];
        var expectedZeroPoints = new byte[N * layout.ZeroPointBytesPerRow];
        for (var row = 0; row < N; row++)
        {
            BlockQuantizer.QuantizeRowScalar(weight.AsSpan(row * K, K), BlockSize,
                expectedPacked.AsSpan(row * (int)layout.PackedBytesPerRow, (int)layout.PackedBytesPerRow),
                expectedScales.AsSpan(row * (int)layout.BlocksPerRow, (int)layout.BlocksPerRow),
                expectedZeroPoints.AsSpan(row * (int)layout.ZeroPointBytesPerRow, (int)layout.ZeroPointBytesPerRow));
        }

        using var blocks = new CountingStream();
        linear.Blocks.WriteTo(blocks);
        using var scales = new MemoryStream();
        linear.Scales.WriteTo(scales);
        using var zeroPoints = new MemoryStream();
        linear.ZeroPoints.WriteTo(zeroPoints);

        Assert.Equal(expectedPacked, blocks.ToArray());
        Assert.Equal(expectedScales, ToFloats(scales.ToArray()));
        Assert.Equal(expectedZeroPoints, zeroPoints.ToArray());
        Assert.True(blocks.Writes <= 2, $"B took {blocks.Writes} writes for {expectedPacked.Length} bytes; expected 1 MB writes");
    }

    private static float[] ToFloats(byte[] bytes) => MemoryMarshal.Cast<byte, float>(bytes).ToArray();

    /// <summary>fp32 values written in pieces of the given byte counts, cycling, as a streaming source might cut them.</summary>
    private sealed class PiecewiseTensorData(float[] values, long[] shape, int[] pieceBytes) : ITensorData
    {
        public TensorProto.Types.DataType DataType => TensorProto.Types.DataType.Float;

        public IReadOnlyList<long> Shape => shape;

        public long ByteLength => values.LongLength * sizeof(float);

        public void WriteTo(Stream destination)
        {
            ReadOnlySpan<byte> bytes = MemoryMarshal.AsBytes(values.AsSpan());
            for (var piece = 0; !bytes.IsEmpty; piece++)
            {
                var count = Math.Min(bytes.Length, pieceBytes[piece % pieceBytes.Length]);
                destination.Write(bytes[..count]);
                bytes = bytes[count..];
            }
        }
    }

    private sealed class CountingStream : MemoryStream
    {
        public int Writes { get; private set; }

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            Writes += buffer.IsEmpty ? 0 : 1;
            base.Write(buffer.ToArray(), 0, buffer.Length);   // MemoryStream's span overload would come back through the array one
        }

        public override void Write(byte[] buffer, int offset, int count)
        {
            Writes += count == 0 ? 0 : 1;
            base.Write(buffer, offset, count);
        }
    }
}
