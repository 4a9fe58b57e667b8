using Flux.ModelBuilder.Onnx;
using Flux.ModelBuilder.Onnx.Int4;
using Onnx;
using static Onnx.TensorProto.Types;

namespace Flux.ModelBuilder.Tests.Int4;

/// <summary>
/// One int4 linear layer run by ONNX Runtime's MatMulNBits CPU kernel, against x·dequant(W)ᵀ + b computed here from the
/// operator's definition (onnxruntime docs/ContribOperators.md, com.microsoft.MatMulNBits): B (N, blocks, blockSize/2)
/// with the first of each pair of 4-bit values in the low nibble; w = (q - zero_point) · scale per block along K.
/// </summary>
public sealed class MatMulNBitsLinearTests
{
    private const ulong Seed = 7;

    [Theory]
    [InlineData(96, 40, 32)]    // K a multiple of the block size, odd block count per row (zero points padded)
    [InlineData(80, 24, 32)]    // K = 2.5 blocks: the last block is zero padded
    [InlineData(64, 16, 128)]   // K below one block
    [InlineData(256, 48, 64)]
    [InlineData(128, 8, 16)]
    public void MatMulNBits_EqualsInputTimesDequantizedWeight_AndDequantizedWeightIsWithinHalfAStep(int k, int n, int blockSize)
    {
        using var dir = new TempDirectory();
        var path = Path.Combine(dir.Path, "linear.onnx");
        var g = new GraphBuilder("linear", new WeightSource(Seed))
        {
            LinearQuantization = new LinearQuantization(new Int4Quantization { BlockSize = blockSize }, _ => true),
        };
        g.Output(g.Linear(g.Input("x", DataType.Float, "B", "S", k), "fc", k, n), "y", DataType.Float, "B", "S", n);
        BuiltGraph.From(g, "one int4 linear").Write(path);

        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));
        var node = Assert.Single(model.Graph.Node, node => node.OpType == "MatMulNBits");
        Assert.Equal("com.microsoft", node.Domain);
        Assert.DoesNotContain(model.Graph.Initializer, t => t.Name == "fc.weight");   // the fp32 weight is not stored
        var dequantized = Dequantize(model, node, k, n);
        var bias = Initializer(model, "fc.bias").ToFloats();

        // Round trip: every weight within half a quantization step of its fp32 value (same random draw as the fp32 graph).
        var weight = new WeightSource(Seed).Uniform("fc.weight", (long)n * k, 1.0 / Math.Sqrt(k));
        var scales = Initializer(model, node.Input[2]).ToFloats();
        var blocks = (k + blockSize - 1) / blockSize;
        for (var row = 0; row < n; row++)
        {
            for (var col = 0; col < k; col++)
            {
                var scale = scales[row * blocks + col / blockSize];
                Assert.True(scale > 0f, "a block of random weights has a positive scale");
                var error = Math.Abs(weight[row * k + col] - dequantized[row * k + col]);
                Assert.True(error <= scale / 2 * (1 + 1e-5f), $"W[{row}, {col}] = {weight[row * k + col]} dequantizes to {dequantized[row * k + col]}, {error / scale:0.000} steps away");
            }
        }

        const int batch = 2, tokens = 3;
        var random = new Random(3);
        var x = Enumerable.Range(0, batch * tokens * k).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        using var session = new OnnxModel(path);
        var y = session.Run("y", new Dictionary<string, OnnxModel.Input> { ["x"] = OnnxModel.Floats(x, batch, tokens, k) });

        Assert.Equal(batch * tokens * n, y.Length);
        for (var m = 0; m < batch * tokens; m++)
        {
            for (var j = 0; j < n; j++)
            {
                double expected = bias[j];
                for (var i = 0; i < k; i++)
                {
                    expected += x[m * k + i] * dequantized[j * k + i];
                }

                Assert.True(Math.Abs(y[m * n + j] - expected) <= 1e-5 * (1 + Math.Abs(expected)), $"y[{m}, {j}]: ONNX Runtime {y[m * n + j]}, x·dequant(W)ᵀ + b {expected}");
            }
        }
    }

    [Fact]
    public void Options_OutsideWhatMatMulNBitsAccepts_AreRefusedNamingTheField()
    {
        var blockSize = Assert.Throws<ArgumentException>(() => new Int4Quantization { BlockSize = 48 }.Validate());
        Assert.Contains("BlockSize 48", blockSize.Message, StringComparison.Ordinal);
        var level = Assert.Throws<ArgumentException>(() => new Int4Quantization { AccuracyLevel = 5 }.Validate());
        Assert.Contains("AccuracyLevel 5", level.Message, StringComparison.Ordinal);
    }

    /// <summary>W (N, K) from the node's B, scales and zero points, read as the operator's definition states.</summary>
    private static float[] Dequantize(ModelProto model, NodeProto node, int k, int n)
    {
        long Attribute(string name) => node.Attribute.Single(a => a.Name == name).I;
        Assert.Equal(k, Attribute("K"));
        Assert.Equal(n, Attribute("N"));
        Assert.Equal(4, Attribute("bits"));
        var blockSize = (int)Attribute("block_size");
        var blocks = (k + blockSize - 1) / blockSize;
        var packed = Initializer(model, node.Input[1]);
        Assert.Equal(new long[] { n, blocks, blockSize / 2 }, packed.Dims);
        var b = packed.RawData.ToByteArray();
        var scales = Initializer(model, node.Input[2]).ToFloats();
        var zeroPoints = Initializer(model, node.Input[3]).RawData.ToByteArray();
        Assert.Equal(n * blocks, scales.Length);
        var zeroPointBytes = (blocks + 1) / 2;
        Assert.Equal(n * zeroPointBytes, zeroPoints.Length);

        return Int4Spec.Dequantize(b, scales, zeroPoints, k, n, blockSize);
    }

    private static TensorProto Initializer(ModelProto model, string name) => model.Graph.Initializer.Single(t => t.Name == name);
}

/// <summary>MatMulNBits' dequantization as docs/ContribOperators.md defines it, and tensor helpers for the int4 tests.</summary>
internal static class Int4Spec
{
    /// <summary>
    /// W (N, K) from B (N, blocks, blockSize/2; value 2j of a block in the low nibble of byte j, 2j+1 in the high nibble),
    /// scales (N·blocks) and zero points (N·ceil(blocks/2), packed the same way): w = (q - zero_point) · scale.
    /// </summary>
    public static float[] Dequantize(byte[] b, float[] scales, byte[] zeroPoints, int k, int n, int blockSize)
    {
        var blocks = (k + blockSize - 1) / blockSize;
        var zeroPointBytes = (blocks + 1) / 2;
        static int Nibble(byte[] bytes, long index) => index % 2 == 0 ? bytes[index / 2] & 0x0F : bytes[index / 2] >> 4;
        var w = new float[n * k];
        for (var row = 0; row < n; row++)
        {
            for (var col = 0; col < k; col++)
            {
                var block = col / blockSize;
                var q = Nibble(b, ((long)row * blocks + block) * blockSize + col % blockSize);
                var zeroPoint = Nibble(zeroPoints, (long)row * zeroPointBytes * 2 + block);
                w[row * k + col] = (q - zeroPoint) * scales[row * blocks + block];
            }
        }

        return w;
    }

    public static float[] ToFloats(this TensorProto tensor)
    {
        Assert.Equal((int)DataType.Float, tensor.DataType);
        return System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(tensor.RawData.Span).ToArray();
    }
}
