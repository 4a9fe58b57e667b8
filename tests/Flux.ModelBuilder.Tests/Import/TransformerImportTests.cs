using Flux.Tests.Shared;
using Flux.Core;
using Flux.ModelBuilder.Import;
using Flux.ModelBuilder.Import.Transformer;
using Flux.ModelBuilder.Tiny;

namespace Flux.ModelBuilder.Tests.Import;

public sealed class TransformerImportTests
{
    private const int TextLength = 8;

    [Theory]
    [InlineData(false, "BF16")]
    [InlineData(true, "F16")]
    [InlineData(true, "F32")]
    public void BflAndDiffusersCheckpoints_ImportToGraphsThatMatchBflForward_AndEachOther(bool dev, string dtype)
    {
        var sizes = new SmallFlux(dev);
        var bfl = FluxCheckpoints.Bfl(sizes, seed: 11);
        using var dir = new TempDirectory();
        var bflFile = dir.Sub("flux1-test.safetensors");
        SafeTensorsWriter.Write(bflFile, FluxCheckpoints.AsTensors(bfl, dtype));
        var diffusersFolder = dir.Sub("transformer");
        SafeTensorsWriter.WriteSharded(diffusersFolder, "diffusion_pytorch_model", [.. FluxCheckpoints.AsTensors(FluxCheckpoints.ToDiffusers(bfl, sizes), dtype)], tensorsPerShard: 17);
        File.WriteAllText(Path.Combine(diffusersFolder, "config.json"), FluxCheckpoints.DiffusersConfig(sizes));

        var fromBfl = ImportTransformer(bflFile, dir.Sub("out-bfl"));
        var fromDiffusers = ImportTransformer(diffusersFolder, dir.Sub("out-diffusers"));

        var (inputs, img, imgIds, txt, txtIds, pooled) = Inputs(sizes);
        float[] Run(string path)
        {
            using var model = new OnnxModel(path);
            return model.Run("latent", inputs);
        }

        var actualBfl = Run(fromBfl);
        var actualDiffusers = Run(fromDiffusers);
        var expected = new FluxReferenceForward(FluxCheckpoints.Stored(bfl, dtype), sizes.Hidden, sizes.Heads, sizes.AxesDims)
            .Forward(img, imgIds, txt, txtIds, 0.37f, pooled, dev ? 4f : null, sizes.DoubleBlocks, sizes.SingleBlocks);

        var scale = expected.Max(Math.Abs);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actualBfl[i]) <= 1e-4f * scale, $"element {i}: BFL forward {expected[i]}, imported graph {actualBfl[i]}");
        }

        Assert.Equal(actualBfl, actualDiffusers);
        Assert.Equal(File.ReadAllBytes(fromBfl + ".data"), File.ReadAllBytes(fromDiffusers + ".data"));
    }

    [Fact]
    public void DiffusersConfig_ThatDisagreesWithTheShapes_IsAnErrorNamingKeyShapesAndConfig()
    {
        var sizes = new SmallFlux(Dev: false);
        var error = ImportWithConfig(sizes, sizes with { Context = 24 });
        Assert.Contains("context_embedder.weight", error.Message, StringComparison.Ordinal);
        Assert.Contains("[32, 24]", error.Message, StringComparison.Ordinal);
        Assert.Contains("[32, 16]", error.Message, StringComparison.Ordinal);
        Assert.Contains("joint_attention_dim 24", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DiffusersConfig_WithFewerLayersThanTheCheckpoint_NamesTheUnusedTensors()
    {
        var sizes = new SmallFlux(Dev: false);
        var error = ImportWithConfig(sizes, sizes with { SingleBlocks = 1 });
        Assert.Contains("single_transformer_blocks.1.", error.Message, StringComparison.Ordinal);
        Assert.Contains("not used", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RequestedVariant_ThatContradictsTheCheckpoint_IsAnError()
    {
        using var dir = new TempDirectory();
        var file = dir.Sub("flux1-dev.safetensors");
        SafeTensorsWriter.Write(file, FluxCheckpoints.AsTensors(FluxCheckpoints.Bfl(new SmallFlux(Dev: true), 3), "F32"));

        var error = Assert.Throws<ImportException>(() => TransformerImport.Open(file, FluxVariant.Schnell));
        Assert.Contains("--variant schnell", error.Message, StringComparison.Ordinal);
    }

    /// <summary>Imports a diffusers checkpoint of <paramref name="weights"/> whose config.json states <paramref name="config"/>; returns the error.</summary>
    private static ImportException ImportWithConfig(SmallFlux weights, SmallFlux config)
    {
        using var dir = new TempDirectory();
        var folder = dir.Sub("transformer");
        SafeTensorsWriter.WriteSharded(folder, "diffusion_pytorch_model", [.. FluxCheckpoints.AsTensors(FluxCheckpoints.ToDiffusers(FluxCheckpoints.Bfl(weights, 1), weights), "F32")], 50);
        File.WriteAllText(Path.Combine(folder, "config.json"), FluxCheckpoints.DiffusersConfig(config));
        return Assert.Throws<ImportException>(() => ImportTransformer(folder, dir.Sub("out")));
    }

    internal static string ImportTransformer(string source, string outFolder)
    {
        using var import = TransformerImport.Open(source, variant: null);
        var parameters = import.Parameters(WeightPrecision.Fp32);
        var graph = import.Build(parameters, import.Options(TextLength));
        Directory.CreateDirectory(outFolder);
        var path = Path.Combine(outFolder, "model.onnx");
        graph.Write(path);
        return path;
    }

    private static (Dictionary<string, OnnxModel.Input> Inputs, float[] Img, float[] ImgIds, float[] Txt, float[] TxtIds, float[] Pooled) Inputs(SmallFlux sizes)
    {
        var size = ImageSize.Create(64, 48); // 4 x 3 tokens
        var random = new Random(5);
        float[] Values(int n) => [.. Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() * 2 - 1))];
        var img = Values(size.PackedLength);
        var txt = Values(TextLength * sizes.Context);
        var pooled = Values(sizes.Pooled);
        var txtIds = Values(TextLength * 3);
        var imgIds = LatentLayout.ImageIds(size);
        var inputs = new Dictionary<string, OnnxModel.Input>
        {
            ["hidden_states"] = OnnxModel.Floats(img, 1, size.SequenceLength, 64),
            ["encoder_hidden_states"] = OnnxModel.Floats(txt, 1, TextLength, sizes.Context),
            ["pooled_projections"] = OnnxModel.Floats(pooled, 1, sizes.Pooled),
            ["timestep"] = OnnxModel.Floats([0.37f], 1),
            ["img_ids"] = OnnxModel.Floats(imgIds, size.SequenceLength, 3),
            ["txt_ids"] = OnnxModel.Floats(txtIds, TextLength, 3),
        };
        if (sizes.Dev)
        {
            inputs["guidance"] = OnnxModel.Floats([4f], 1);
        }

        return (inputs, img, imgIds, txt, txtIds, pooled);
    }
}
