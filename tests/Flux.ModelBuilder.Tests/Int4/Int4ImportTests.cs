using System.Globalization;
using Flux.ModelBuilder.Import;
using Flux.ModelBuilder.Import.Transformer;
using Flux.ModelBuilder.Onnx.Int4;
using Flux.ModelBuilder.Tiny;
using Flux.Tests.Shared;
using Onnx;

namespace Flux.ModelBuilder.Tests.Int4;

/// <summary>An imported checkpoint's block linears quantized after the LoRA merge, streamed into external data.</summary>
public sealed class Int4ImportTests
{
    private static readonly SmallFlux Sizes = new(Dev: true);

    [Fact]
    public void ImportedInt4Weights_DequantizeWithinHalfAStepOfTheLoraMergedWeights()
    {
        using var dir = new TempDirectory();
        var bfl = FluxCheckpoints.Bfl(Sizes, 3);
        var file = dir.Sub("flux1-dev.safetensors");
        SafeTensorsWriter.Write(file, FluxCheckpoints.AsTensors(bfl, "F32"));
        var random = new Random(9);
        var updates = new Dictionary<string, LowRankUpdate>(StringComparer.Ordinal);
        var merged = bfl.ToDictionary(p => p.Key, p => (float[])p.Value.Values.Clone(), StringComparer.Ordinal);
        foreach (var name in new[] { "double_blocks.0.img_attn.qkv.weight", "single_blocks.1.linear2.weight" })
        {
            var (rows, columns) = ((int)bfl[name].Shape[0], (int)bfl[name].Shape[1]);
            const int rank = 2;
            const float scale = 0.8f;
            float[] Draw(int n) => [.. Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() - 0.5))];
            var (up, down) = (Draw(rows * rank), Draw(rank * columns));
            updates[name] = new LowRankUpdate("test lora", 0, rows, rank, columns, up, down, scale);
            for (var o = 0; o < rows; o++)   // W' = W + scale · up @ down (the LoRA formula, in double)
            {
                for (var i = 0; i < columns; i++)
                {
                    double sum = 0;
                    for (var r = 0; r < rank; r++)
                    {
                        sum += (double)up[o * rank + r] * down[r * columns + i];
                    }

                    merged[name][o * columns + i] += (float)(scale * sum);
                }
            }
        }

        var path = dir.Sub("model.onnx");
        using (var import = TransformerImport.Open(file, variant: null))
        {
            var parameters = import.Parameters(WeightPrecision.Fp32, (name, _) => updates.TryGetValue(name, out var u) ? [u] : []);
            var options = import.Options(8) with { Int4 = new Int4Quantization { BlockSize = 16 } };
            var graph = TinyTransformer.Build(options, parameters, "int4 import test");
            parameters.EnsureAllUsed();   // the quantized weights count as used, though no fp32 initializer holds them
            graph.Write(path);
        }

        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));
        var nodes = model.Graph.Node.Where(n => n.OpType == "MatMulNBits").ToList();
        Assert.Equal(10 * Sizes.DoubleBlocks + 3 * Sizes.SingleBlocks, nodes.Count);
        foreach (var node in nodes)
        {
            var name = node.Input[1].Replace(".int4_blocks", string.Empty, StringComparison.Ordinal);
            var (k, n) = ((int)bfl[name].Shape[1], (int)bfl[name].Shape[0]);
            var b = Bytes(model, node.Input[1], path);
            var scales = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(Bytes(model, node.Input[2], path)).ToArray();
            var w = Int4Spec.Dequantize(b, scales, Bytes(model, node.Input[3], path), k, n, 16);
            var blocks = (k + 15) / 16;
            var original = 0;
            for (var i = 0; i < w.Length; i++)
            {
                var step = scales[i / k * blocks + i % k / 16];
                Assert.True(Math.Abs(w[i] - merged[name][i]) <= step / 2 * (1 + 1e-5f), $"{name}[{i}]: dequantized {w[i]}, LoRA-merged {merged[name][i]}");
                original += Math.Abs(w[i] - bfl[name].Values[i]) <= step / 2 * (1 + 1e-5f) ? 1 : 0;
            }

            if (updates.ContainsKey(name))
            {
                Assert.True(original < w.Length / 2, $"{name}: the quantized weight must be the merged one, not the checkpoint's ({original} of {w.Length} fit the original)");
            }
        }
    }

    /// <summary>An initializer's bytes, inline or from the external data file next to the model.</summary>
    private static byte[] Bytes(ModelProto model, string name, string modelPath)
    {
        var tensor = model.Graph.Initializer.Single(t => t.Name == name);
        if (tensor.DataLocation != TensorProto.Types.DataLocation.External)
        {
            return tensor.RawData.ToByteArray();
        }

        string Entry(string key) => tensor.ExternalData.Single(e => e.Key == key).Value;
        using var data = File.OpenRead(Path.Combine(Path.GetDirectoryName(modelPath)!, Entry("location")));
        data.Seek(long.Parse(Entry("offset"), CultureInfo.InvariantCulture), SeekOrigin.Begin);
        var bytes = new byte[long.Parse(Entry("length"), CultureInfo.InvariantCulture)];
        data.ReadExactly(bytes);
        return bytes;
    }
}
