using Flux.ModelBuilder.Import.Vae;
using Flux.ModelBuilder.Onnx;
using Onnx;

namespace Flux.ModelBuilder.Tests.Import.Vae;

/// <summary>At FLUX.1's real size the graphs ask for exactly ae.safetensors' keys, and diffusers' names map onto them one to one.</summary>
public sealed class AutoencoderKeyTests
{
    /// <summary>The 244 tensors of BFL's AutoEncoder at FLUX.1's config (106 encoder, 138 decoder), counted from its module tree.</summary>
    private const int FluxTensorCount = 244;

    [Fact]
    public void RealFluxConfig_GraphsRequestExactlyBflsStateDict_WithItsShapes()
    {
        var recording = new RecordingParameters();
        AutoencoderGraphs.BuildEncoder(AutoencoderConfig.Flux, recording);
        AutoencoderGraphs.BuildDecoder(AutoencoderConfig.Flux, recording);

        var expected = BflAutoencoderLayout.Keys(AutoencoderConfig.Flux);
        Assert.Equal(FluxTensorCount, expected.Count);
        Assert.Equal(expected.Select(k => k.Key).Order(), recording.Requested.Keys.Order());
        Assert.All(expected, k => Assert.Equal(k.Shape, recording.Requested[k.Key]));
        Assert.Equal([512L, 512, 1, 1], recording.Requested["decoder.mid.attn_1.q.weight"]);
        Assert.Equal([256L, 512, 3, 3], recording.Requested["decoder.up.1.block.0.conv1.weight"]); // up.1 (ch * 2) reads what up.2 (ch * 4) leaves
    }

    [Fact]
    public void RealFluxConfig_DiffusersNamesMapOneToOneOntoBflNames_AndBack()
    {
        const int levels = 4;
        var bfl = BflAutoencoderLayout.Keys(AutoencoderConfig.Flux);
        var diffusers = bfl.Select(k => BflAutoencoderLayout.ToDiffusers(k.Key, k.Shape, levels)).ToList();
        Assert.Equal(bfl.Count, diffusers.Select(d => d.Key).Distinct().Count());

        for (var i = 0; i < bfl.Count; i++)
        {
            var mapped = AutoencoderKeys.FromDiffusers(diffusers[i].Key, levels);
            Assert.Equal(bfl[i].Key, mapped.Key);
            Assert.Equal(bfl[i].Shape, mapped.Shape(diffusers[i].Shape));
            Assert.Equal(diffusers[i].Key, AutoencoderKeys.ToDiffusers(bfl[i].Key, levels));
        }
    }

    [Theory]
    [InlineData("decoder.up_blocks.0.resnets.2.conv_shortcut.weight", "decoder.up.3.block.2.nin_shortcut.weight", false)]
    [InlineData("decoder.up_blocks.3.upsamplers.0.conv.bias", "decoder.up.0.upsample.conv.bias", false)]
    [InlineData("encoder.down_blocks.1.downsamplers.0.conv.weight", "encoder.down.1.downsample.conv.weight", false)]
    [InlineData("encoder.mid_block.resnets.1.norm2.bias", "encoder.mid.block_2.norm2.bias", false)]
    [InlineData("decoder.mid_block.attentions.0.to_out.0.weight", "decoder.mid.attn_1.proj_out.weight", true)]
    [InlineData("decoder.mid_block.attentions.0.to_q.bias", "decoder.mid.attn_1.q.bias", false)]
    [InlineData("encoder.mid_block.attentions.0.group_norm.weight", "encoder.mid.attn_1.norm.weight", false)]
    [InlineData("decoder.conv_norm_out.weight", "decoder.norm_out.weight", false)]
    public void FromDiffusers_FollowsDiffusersConversion(string diffusers, string bfl, bool linearToConv)
    {
        Assert.Equal(new BflKey(bfl, linearToConv), AutoencoderKeys.FromDiffusers(diffusers, 4));
    }

    [Theory]
    [InlineData("quant_conv.weight")]
    [InlineData("decoder.up_blocks.4.resnets.0.conv1.weight")]
    [InlineData("decoder.down_blocks.0.resnets.0.conv1.weight")]
    [InlineData("encoder.mid_block.attentions.0.to_q.scale")]
    [InlineData("decoder.mid_block.resnets.2.conv1.weight")]
    public void FromDiffusers_RefusesKeysTheArchitectureDoesNotHave_NamingThem(string key)
    {
        var error = Assert.Throws<InvalidDataException>(() => AutoencoderKeys.FromDiffusers(key, 4));
        Assert.Contains($"'{key}'", error.Message, StringComparison.Ordinal);
    }

    /// <summary>Records the requested names and shapes; the placeholders declare their size but are never written, so no weight is allocated.</summary>
    private sealed class RecordingParameters : IParameterSource
    {
        public Dictionary<string, long[]> Requested { get; } = new(StringComparer.Ordinal);

        public string Add(GraphBuilder g, string name, ParameterInit init, long[] shape)
        {
            Requested.Add(name, shape);
            return g.Parameter(name, new Unwritten(shape));
        }

        public ITensorData Values(string name, ParameterInit init, long[] shape) => throw new NotSupportedException("the AutoEncoder quantizes nothing");

        public string AddDerived(GraphBuilder g, string name, ITensorData data) => throw new NotSupportedException("the AutoEncoder quantizes nothing");
    }

    private sealed class Unwritten(long[] shape) : ITensorData
    {
        public TensorProto.Types.DataType DataType => TensorProto.Types.DataType.Float;

        public IReadOnlyList<long> Shape => shape;

        public long ByteLength => shape.Aggregate(1L, (a, b) => a * b) * sizeof(float);

        public void WriteTo(Stream destination) => throw new InvalidOperationException("the key-set test never writes weights");
    }
}
