using Flux.ModelBuilder.Import.Vae;
using Flux.ModelBuilder.Onnx;
using static Flux.ModelBuilder.Tests.Import.Vae.VaeGraphHarness;
using static Onnx.TensorProto.Types;

namespace Flux.ModelBuilder.Tests.Import.Vae;

/// <summary>The built AutoEncoder graphs compute what BFL's autoencoder.py computes, from either key layout.</summary>
public sealed class AutoencoderGraphTests
{
    public static TheoryData<string, string> ConfigsAndLayouts => new()
    {
        { "groups32", Bfl }, { "groups32", Diffusers }, { "groups8", Bfl }, { "groups8", Diffusers },
    };

    [Theory]
    [MemberData(nameof(ConfigsAndLayouts))]
    public void Decoder_MatchesBflDecoderForward_OnABatchOfNonSquareLatents(string configName, string layout)
    {
        var config = Config(configName);
        var checkpoint = BflCheckpoint(config);
        var source = Source(checkpoint, layout, config.ChMult.Count);
        const int batch = 2, h = 3, w = 5;
        var latent = Uniform(batch * config.ZChannels * h * w, seed: 11, amplitude: 2); // (2, 16, 3, 5)

        var image = Run(AutoencoderGraphs.BuildDecoder(config, source), "latent_sample", latent, [batch, config.ZChannels, h, w], "sample");

        var reference = new BflAutoencoderReference(key => checkpoint[key].Values, config);
        int f = 1 << (config.ChMult.Count - 1), perItem = config.OutCh * f * h * f * w;
        Assert.Equal(batch * perItem, image.Length);
        for (var b = 0; b < batch; b++)
        {
            var z = new Planes(config.ZChannels, h, w, latent[(b * config.ZChannels * h * w)..((b + 1) * config.ZChannels * h * w)]);
            var expected = reference.Decode(z);
            Assert.Equal((config.OutCh, f * h, f * w), (expected.C, expected.H, expected.W));
            AssertClose(expected.Data, image[(b * perItem)..((b + 1) * perItem)], $"{configName}/{layout} decoder item {b}");
        }

        Assert.Equal(source.File.Keys.Where(k => k.StartsWith("decoder.", StringComparison.Ordinal)).Order(), source.Used.Order());
    }

    [Theory]
    [MemberData(nameof(ConfigsAndLayouts))]
    public void Encoder_ReturnsTheUnscaledPosteriorMeanOfBflEncoder(string configName, string layout)
    {
        var config = Config(configName);
        var checkpoint = BflCheckpoint(config);
        var source = Source(checkpoint, layout, config.ChMult.Count);
        const int batch = 2, height = 12, width = 20;
        var pixels = Uniform(batch * config.InChannels * height * width, seed: 12); // (2, 3, 12, 20) in [-1, 1]

        var latent = Run(AutoencoderGraphs.BuildEncoder(config, source), "sample", pixels, [batch, config.InChannels, height, width], "latent_sample");

        var reference = new BflAutoencoderReference(key => checkpoint[key].Values, config);
        int f = 1 << (config.ChMult.Count - 1), perImage = config.InChannels * height * width, perItem = config.ZChannels * (height / f) * (width / f);
        Assert.Equal(batch * perItem, latent.Length);
        for (var b = 0; b < batch; b++)
        {
            var mean = reference.EncodeMean(new Planes(config.InChannels, height, width, pixels[(b * perImage)..((b + 1) * perImage)]));
            Assert.Equal((config.ZChannels, height / f, width / f), (mean.C, mean.H, mean.W));
            AssertClose(mean.Data, latent[(b * perItem)..((b + 1) * perItem)], $"{configName}/{layout} encoder item {b}");
        }

        Assert.Equal(source.File.Keys.Where(k => k.StartsWith("encoder.", StringComparison.Ordinal)).Order(), source.Used.Order());
    }

    [Fact]
    public void BothKeyLayouts_GiveBitIdenticalOutputs()
    {
        var config = Config("groups32");
        var checkpoint = BflCheckpoint(config, seed: 21);
        var latent = Uniform(16 * 2 * 2, seed: 3);
        var pixels = Uniform(3 * 8 * 8, seed: 4);
        float[] Decode(string layout) => Run(AutoencoderGraphs.BuildDecoder(config, Source(checkpoint, layout, 3)), "latent_sample", latent, [1, 16, 2, 2], "sample");
        float[] Encode(string layout) => Run(AutoencoderGraphs.BuildEncoder(config, Source(checkpoint, layout, 3)), "sample", pixels, [1, 3, 8, 8], "latent_sample");

        Assert.Equal(Decode(Bfl), Decode(Diffusers));
        Assert.Equal(Encode(Bfl), Encode(Diffusers));
    }

    /// <summary>
    /// eps only shows where a group's variance is near it: channels of tiny spread around different
    /// offsets (torch's GroupNorm subtracts the group mean, so the offsets must not leak into the variance).
    /// </summary>
    [Fact]
    public void GroupNorm_UsesTorchEpsilonAndPerChannelAffine_WhereVarianceIsNearEpsilon()
    {
        const int channels = 64, groups = 32, side = 4;
        var config = Config("groups32") with { NormGroups = groups };
        var weights = VaeTestParameters.RandomCheckpoint([("block.norm1.weight", [channels]), ("block.norm1.bias", [channels])], seed: 5);
        var offsets = Uniform(groups, seed: 6, amplitude: 0.05);
        var spread = Uniform(channels * side * side, seed: 7, amplitude: 3e-3); // group variance ~3e-6: eps 1e-5 vs 1e-6 differs by ~15%
        var x = spread.Select((v, i) => v + offsets[i / (2 * side * side)]).ToArray();

        var g = new GraphBuilder("group_norm", new VaeTestParameters(weights, (k, s) => (k, s)));
        var input = g.Input("x", DataType.Float, 1, channels, side, side);
        g.Output(g.GroupNorm(input, "block.norm1", channels, groups), "y", DataType.Float, 1, channels, side, side);
        var actual = Run(BuiltGraph.From(g, "test"), "x", x, [1, channels, side, side], "y");

        var expected = new BflAutoencoderReference(key => weights[key].Values, config).GroupNorm(new Planes(channels, side, side, x), "block.norm1");
        AssertClose(expected.Data, actual, "group norm");
    }

    [Fact]
    public void Graphs_DeclareOptimumNames_WithDynamicBatchAndSpatialAxes()
    {
        var config = Config("groups8");
        var checkpoint = BflCheckpoint(config);
        var decoder = AutoencoderGraphs.BuildDecoder(config, Source(checkpoint, Bfl, 2)).Model.Graph;
        var encoder = AutoencoderGraphs.BuildEncoder(config, Source(checkpoint, Bfl, 2)).Model.Graph;

        static string Dims(global::Onnx.ValueInfoProto v) =>
            v.Name + string.Concat(v.Type.TensorType.Shape.Dim.Select(d => "," + (string.IsNullOrEmpty(d.DimParam) ? d.DimValue.ToString(System.Globalization.CultureInfo.InvariantCulture) : d.DimParam)));

        Assert.Equal("latent_sample,batch_size,16,height_latent,width_latent", Dims(Assert.Single(decoder.Input)));
        Assert.Equal("sample,batch_size,3,height,width", Dims(Assert.Single(decoder.Output)));
        Assert.Equal("sample,batch_size,3,height,width", Dims(Assert.Single(encoder.Input)));
        Assert.Equal("latent_sample,batch_size,16,height_latent,width_latent", Dims(Assert.Single(encoder.Output)));
        Assert.DoesNotContain(decoder.Node, n => n.OpType is "Clip" or "Tanh");
    }
}
