using Flux.Core;
using Flux.ModelBuilder.Packages;
using Flux.ModelBuilder.Tiny;
using Onnx;

namespace Flux.ModelBuilder.Tests;

public sealed class TinyWeightsTests
{
    private static readonly TinyFluxOptions Small = new() { HiddenSize = 32, HeadCount = 2, DoubleBlocks = 1, SingleBlocks = 1, T5MaxLength = 16, Variant = FluxVariant.Dev };

    [Fact]
    public void TransformerInitializers_AreExactlyBflStateDictKeysWithTheirShapes()
    {
        using var dir = new TempDirectory();
        TinyPackage.Write(dir.Path, Small);
        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(Path.Combine(dir.Path, "transformer/model.onnx")));
        var actual = model.Graph.Initializer.Where(t => !t.Name.StartsWith("const.", StringComparison.Ordinal))
            .ToDictionary(t => t.Name, t => string.Join('x', t.Dims));

        var expected = BflStateDict(Small);
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        foreach (var (name, shape) in expected)
        {
            Assert.True(shape == actual[name], $"{name}: expected {shape}, got {actual[name]}");
        }
    }

    [Fact]
    public void WritingTheSamePackageTwice_GivesIdenticalBytes()
    {
        using var first = new TempDirectory();
        using var second = new TempDirectory();
        TinyPackage.Write(first.Path, Small);
        TinyPackage.Write(second.Path, Small);
        AssertSameFiles(first.Path, second.Path);
    }

    [Fact]
    public void AnotherSeed_GivesOtherWeights()
    {
        using var first = new TempDirectory();
        using var second = new TempDirectory();
        TinyPackage.Write(first.Path, Small);
        TinyPackage.Write(second.Path, Small with { Seed = 7 });
        Assert.NotEqual(File.ReadAllBytes(Path.Combine(first.Path, "transformer/model.onnx")), File.ReadAllBytes(Path.Combine(second.Path, "transformer/model.onnx")));
    }

    [Fact]
    public void LargeModels_StoreWeightsAsExternalData_ThatOnnxRuntimeLoadsToTheSameOutput()
    {
        using var inline = new TempDirectory();
        using var external = new TempDirectory();
        TinyPackage.Write(inline.Path, Small);
        TinyPackage.Write(external.Path, Small with { ExternalDataThreshold = 1 });
        var dataFile = Path.Combine(external.Path, "transformer/model.onnx.data");
        Assert.True(File.Exists(dataFile));
        Assert.True(new FileInfo(Path.Combine(external.Path, "transformer/model.onnx")).Length < new FileInfo(dataFile).Length);
        Assert.False(File.Exists(Path.Combine(inline.Path, "transformer/model.onnx.data")));

        var size = ImageSize.Create(64, 64);
        var inputs = TinyTransformerTests.BaseInputs(size, textLength: 16, dev: true);
        using var a = new OnnxModel(Path.Combine(inline.Path, "transformer/model.onnx"));
        using var b = new OnnxModel(Path.Combine(external.Path, "transformer/model.onnx"));
        Assert.Equal(a.Run("latent", inputs), b.Run("latent", inputs));
    }

    [Theory]
    [InlineData(64, 5, "HeadCount")]
    [InlineData(4, 1, "HiddenSize")]
    [InlineData(64, 32, "HeadCount")]
    public void InvalidSizes_AreRejected_NamingTheField(int hidden, int heads, string field)
    {
        var error = Assert.Throws<ArgumentException>(() => new TinyFluxOptions { HiddenSize = hidden, HeadCount = heads }.Validate());
        Assert.Equal(field, error.ParamName);
        Assert.Contains("allowed", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FluxWidthPreset_UsesFluxRopeAxes()
    {
        Assert.Equal([16, 56, 56], TinyFluxOptions.FluxWidth.AxesDim);
        Assert.Equal(128, TinyFluxOptions.FluxWidth.HeadDim);
        Assert.Equal([4, 6, 6], new TinyFluxOptions().AxesDim);
    }

    internal static void AssertSameFiles(string first, string second)
    {
        var files = Directory.GetFiles(first, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(first, f)).Order().ToList();
        Assert.Equal(files, Directory.GetFiles(second, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(second, f)).Order());
        foreach (var file in files)
        {
            Assert.True(File.ReadAllBytes(Path.Combine(first, file)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(second, file))), $"{file} differs");
        }
    }

    /// <summary>Parameter names and shapes of BFL's Flux module (model.py, modules/layers.py) for these sizes.</summary>
    private static Dictionary<string, string> BflStateDict(TinyFluxOptions o)
    {
        int h = o.HiddenSize, m = o.MlpWidth, d = o.HeadDim;
        var keys = new Dictionary<string, string>();
        void Linear(string name, int inWidth, int outWidth)
        {
            keys[name + ".weight"] = $"{outWidth}x{inWidth}";
            keys[name + ".bias"] = $"{outWidth}";
        }

        Linear("img_in", 64, h);
        Linear("txt_in", o.T5Width, h);
        foreach (var (embedder, inWidth) in new[] { ("time_in", 256), ("vector_in", 768), ("guidance_in", 256) })
        {
            Linear(embedder + ".in_layer", inWidth, h);
            Linear(embedder + ".out_layer", h, h);
        }

        for (var i = 0; i < o.DoubleBlocks; i++)
        {
            foreach (var stream in new[] { "img", "txt" })
            {
                var p = $"double_blocks.{i}.{stream}";
                Linear(p + "_mod.lin", h, 6 * h);
                Linear(p + "_attn.qkv", h, 3 * h);
                keys[p + "_attn.norm.query_norm.scale"] = $"{d}";
                keys[p + "_attn.norm.key_norm.scale"] = $"{d}";
                Linear(p + "_attn.proj", h, h);
                Linear(p + "_mlp.0", h, m);
                Linear(p + "_mlp.2", m, h);
            }
        }

        for (var i = 0; i < o.SingleBlocks; i++)
        {
            var p = $"single_blocks.{i}";
            Linear(p + ".linear1", h, 3 * h + m);
            Linear(p + ".linear2", h + m, h);
            keys[p + ".norm.query_norm.scale"] = $"{d}";
            keys[p + ".norm.key_norm.scale"] = $"{d}";
            Linear(p + ".modulation.lin", h, 3 * h);
        }

        Linear("final_layer.linear", h, FluxConstants.PackedChannels);
        Linear("final_layer.adaLN_modulation.1", h, 2 * h);
        return keys;
    }
}
