using Flux.Core;
using Flux.ModelBuilder.Packages;
using Flux.ModelBuilder.Tiny;

namespace Flux.ModelBuilder.Tests;

public sealed class TinyTransformerReferenceTests
{
    [Theory]
    [InlineData(FluxVariant.Dev, TransformerGraph.Fused)]
    [InlineData(FluxVariant.Schnell, TransformerGraph.Fused)]
    [InlineData(FluxVariant.Dev, TransformerGraph.Plain)]
    [InlineData(FluxVariant.Schnell, TransformerGraph.Plain)]
    public void OnnxGraph_MatchesANaiveRestatementOfBflFluxForward(FluxVariant variant, TransformerGraph graph)
    {
        var options = new TinyFluxOptions { Variant = variant, Graph = graph, HiddenSize = 32, HeadCount = 2, DoubleBlocks = 2, SingleBlocks = 2, T5MaxLength = 8, T5Width = 16 };
        using var dir = new TempDirectory();
        TinyPackage.Write(dir.Path, options);
        var path = Path.Combine(dir.Path, "transformer/model.onnx");

        var size = ImageSize.Create(64, 48); // 4 x 3 tokens: rows and columns differ, so a swapped RoPE axis shows
        var random = new Random(5);
        float[] Values(int n) => [.. Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() * 2 - 1))];
        var img = Values(size.PackedLength);
        var txt = Values(8 * 16);
        var pooled = Values(768);
        var txtIds = Values(8 * 3); // non-zero text positions, so both RoPE paths are exercised
        var imgIds = LatentLayout.ImageIds(size);
        const float t = 0.37f, guidance = 4f;

        var inputs = new Dictionary<string, OnnxModel.Input>
        {
            ["hidden_states"] = OnnxModel.Floats(img, 1, size.SequenceLength, 64),
            ["encoder_hidden_states"] = OnnxModel.Floats(txt, 1, 8, 16),
            ["pooled_projections"] = OnnxModel.Floats(pooled, 1, 768),
            ["timestep"] = OnnxModel.Floats([t], 1),
            ["img_ids"] = OnnxModel.Floats(imgIds, size.SequenceLength, 3),
            ["txt_ids"] = OnnxModel.Floats(txtIds, 8, 3),
        };
        if (variant == FluxVariant.Dev)
        {
            inputs["guidance"] = OnnxModel.Floats([guidance], 1);
        }

        using var model = new OnnxModel(path);
        var actual = model.Run("latent", inputs);
        var expected = new FluxReferenceForward(path, options.HiddenSize, options.HeadCount, options.AxesDim)
            .Forward(img, imgIds, txt, txtIds, t, pooled, variant == FluxVariant.Dev ? guidance : null, options.DoubleBlocks, options.SingleBlocks);

        Assert.Equal(expected.Length, actual.Length);
        var scale = expected.Max(Math.Abs);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-4f * scale + 1e-5f, $"element {i}: reference {expected[i]}, ONNX {actual[i]}");
        }
    }
}
