using Flux.Core;
using Flux.ModelBuilder.Packages;
using Flux.ModelBuilder.Tiny;
using Onnx;

namespace Flux.ModelBuilder.Tests;

/// <summary>The fused transformer graph (ONNX Runtime's kernels) computes what the plain graph computes.</summary>
public sealed class FusedGraphTests
{
    [Theory]
    [InlineData(FluxVariant.Dev, 64, 4)]
    [InlineData(FluxVariant.Schnell, 96, 2)]
    public void FusedGraph_AgreesWithThePlainGraph_Within1e4Relative(FluxVariant variant, int hidden, int heads)
    {
        var plain = new TinyFluxOptions { Variant = variant, Graph = TransformerGraph.Plain, HiddenSize = hidden, HeadCount = heads, T5MaxLength = 12, T5Width = 24 };
        var size = ImageSize.Create(80, 48);   // 5 x 3 tokens
        var random = new Random(17);
        float[] Values(int n) => [.. Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() * 2 - 1))];
        var inputs = new Dictionary<string, OnnxModel.Input>
        {
            ["hidden_states"] = OnnxModel.Floats(Values(2 * size.PackedLength), 2, size.SequenceLength, 64),   // batch of 2
            ["encoder_hidden_states"] = OnnxModel.Floats(Values(2 * 12 * 24), 2, 12, 24),
            ["pooled_projections"] = OnnxModel.Floats(Values(2 * 768), 2, 768),
            ["timestep"] = OnnxModel.Floats([0.9f, 0.2f], 2),
            ["img_ids"] = OnnxModel.Floats(LatentLayout.ImageIds(size), size.SequenceLength, 3),
            ["txt_ids"] = OnnxModel.Floats(Values(12 * 3), 12, 3),
        };
        if (variant == FluxVariant.Dev)
        {
            inputs["guidance"] = OnnxModel.Floats([3.5f, 1f], 2);
        }

        var expected = Run(plain, inputs);
        var actual = Run(plain with { Graph = TransformerGraph.Fused }, inputs);

        var scale = expected.Max(Math.Abs);
        Assert.True(scale > 0.1f, "the output must not be trivially small");
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-4f * scale, $"element {i}: plain {expected[i]}, fused {actual[i]}");
        }
    }

    [Fact]
    public void FusedGraph_UsesOnnxRuntimesKernels_AndNoTransposeInsideBlocks()
    {
        using var dir = new TempDirectory();
        TinyPackage.Write(dir.Path, new TinyFluxOptions());
        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(Path.Combine(dir.Path, "transformer/model.onnx")));
        var ops = model.Graph.Node.GroupBy(n => n.OpType).ToDictionary(group => group.Key, group => group.Count());
        var blocks = new TinyFluxOptions().DoubleBlocks + new TinyFluxOptions().SingleBlocks;

        Assert.Equal(blocks, ops["MultiHeadAttention"]);
        Assert.Equal(2 * blocks, ops["RotaryEmbedding"]);
        Assert.False(ops.ContainsKey("Softmax"));
        // The only Transposes left are of weight matrices (x W^T), which ONNX Runtime folds at load time.
        var transposedInitializers = model.Graph.Node.Where(n => n.OpType == "Transpose")
            .All(n => model.Graph.Initializer.Any(t => t.Name == n.Input[0]));
        Assert.True(transposedInitializers, "a Transpose of an activation is left in the fused graph");
        Assert.Contains(model.OpsetImport, o => o.Domain == "com.microsoft");
    }

    private static float[] Run(TinyFluxOptions options, Dictionary<string, OnnxModel.Input> inputs)
    {
        using var dir = new TempDirectory();
        TinyPackage.Write(dir.Path, options);
        using var model = new OnnxModel(Path.Combine(dir.Path, "transformer/model.onnx"));
        return model.Run("latent", inputs);
    }
}
