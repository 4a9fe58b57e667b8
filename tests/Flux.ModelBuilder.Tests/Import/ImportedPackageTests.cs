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
}
