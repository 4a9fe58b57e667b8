using Flux.Inference;
using Flux.Inference.Sessions;
using Flux.ModelBuilder.Import;
using Flux.Tests.Shared;

namespace Flux.ModelBuilder.Tests.Import;

/// <summary>An imported package is a package: the inference pipeline loads it unchanged and draws an image.</summary>
public sealed class ImportedPackageTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ImportedPackage_GeneratesAnImageThroughThePipeline_TheSameFromDiffusersOrBflFiles(bool dev)
    {
        using var dir = new TempDirectory();
        var source = new ImportSource(dir.Path, new SmallFlux(dev), dtype: "F32");
        ModelImporter.Import(new ImportRequest { Source = source.Root, Output = dir.Sub("hf") });
        ModelImporter.Import(new ImportRequest { Source = source.Root, Output = dir.Sub("bfl"), TransformerFile = source.BflFile, VaeFile = source.BflVaeFile });

        foreach (var component in new[] { "transformer", "vae_decoder", "vae_encoder" })
        {
            Assert.Equal(File.ReadAllBytes(dir.Sub($"hf/{component}/model.onnx.data")), File.ReadAllBytes(dir.Sub($"bfl/{component}/model.onnx.data")));
        }

        byte[] Draw(string package)
        {
            using var pipeline = FluxPipeline.Open(package, new InferenceOptions { ExecutionProvider = ExecutionProviderKind.Cpu });
            Assert.Equal(dev ? 512 : 256, pipeline.Package.T5MaxLength);
            using var image = pipeline.Generate(new GenerationSettings("a red fox in the snow", 64, 48, 2, pipeline.Package.DefaultGuidance, 7, "euler", 0));
            Assert.Equal(64 * 48 * 3, image.Rgb.Length);
            Assert.True(image.Rgb.Distinct().Count() > 16, "the decoded image is not flat");
            return image.Rgb;
        }

        Assert.Equal(Draw(dir.Sub("hf")), Draw(dir.Sub("bfl")));
    }

    /// <summary>
    /// Every component stored in fp16 (text encoders, transformer, VAE): the pipeline's image stays within a few levels of the
    /// fp32 package's. Measured: at most 1 level apart, 0.03 on average; weights read with the wrong type are off by far more.
    /// </summary>
    [Fact]
    public void Fp16Package_DrawsTheFp32PackagesImage_WithinAFewLevels()
    {
        using var dir = new TempDirectory();
        var source = new ImportSource(dir.Path, new SmallFlux(Dev: true), dtype: "F32");
        ModelImporter.Import(new ImportRequest { Source = source.Root, Output = dir.Sub("fp32"), T5MaxLength = 16 });
        ModelImporter.Import(new ImportRequest { Source = source.Root, Output = dir.Sub("fp16"), T5MaxLength = 16, Precision = WeightPrecision.Fp16 });

        float[] Draw(string package, out byte[] rgb)
        {
            using var pipeline = FluxPipeline.Open(package, new InferenceOptions { ExecutionProvider = ExecutionProviderKind.Cpu });
            var settings = new GenerationSettings("a red fox in the snow", 64, 48, 2, 3.5f, 7, "euler", 0);
            using var image = pipeline.Generate(settings);
            rgb = image.Rgb.ToArray();
            return [.. rgb.Select(b => (float)b)];
        }

        var expected = Draw(dir.Sub("fp32"), out var fp32Rgb);
        var actual = Draw(dir.Sub("fp16"), out _);
        Assert.True(fp32Rgb.Distinct().Count() > 16, "the fp32 image is flat");
        var worst = expected.Zip(actual, (e, a) => Math.Abs(e - a)).Max();
        var mean = expected.Zip(actual, (e, a) => Math.Abs(e - a)).Average();
        Assert.True(worst <= 3 && mean <= 0.25, $"fp16 against fp32 pixels: largest difference {worst} levels, mean {mean:0.000}");
    }
}
