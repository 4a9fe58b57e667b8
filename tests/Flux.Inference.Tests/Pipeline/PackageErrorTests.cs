using Flux.Inference.Packages;
using Flux.Inference.Sessions;
using Flux.Tests.Shared;

namespace Flux.Inference.Tests.Pipeline;

/// <summary>Each kind of broken package or bad request gives one clear message naming the file/tensor or field.</summary>
[Collection(BuiltPackagesCollection.Name)]
public sealed class PackageErrorTests(BuiltPackages packages) : IDisposable
{
    private readonly string _copy = PackageCopy.Of(BuiltPackages.Directory("tiny"));

    [Fact]
    public void DamagedModelFile_IsNamedAsDamaged()
    {
        string transformer = Path.Combine(_copy, "transformer", "model.onnx");
        byte[] bytes = File.ReadAllBytes(transformer);
        File.WriteAllBytes(transformer, bytes[..(bytes.Length / 3)]);
        var ex = Assert.Throws<FluxModelException>(() => Open(_copy));
        Assert.StartsWith($"model file {transformer} is damaged or not a valid ONNX model", ex.Message, StringComparison.Ordinal);
        Assert.Equal(transformer, ex.ModelFile);
    }

    [Fact]
    public void MissingModelFile_IsNamed()
    {
        string vae = Path.Combine(_copy, "vae_decoder", "model.onnx");
        File.Delete(vae);
        var ex = Assert.Throws<FluxModelException>(() => Open(_copy));
        Assert.Equal($"model file {vae} is missing", ex.Message);
    }

    [Fact]
    public void WrongIoContract_NamesFileTensorAndExpectedShape()
    {
        string vae = Path.Combine(_copy, "vae_decoder", "model.onnx");
        File.Copy(Path.Combine(_copy, "text_encoder_2", "model.onnx"), vae, overwrite: true);
        var ex = Assert.Throws<FluxModelException>(() => Open(_copy));
        Assert.StartsWith($"model file {vae}: no input named 'latent_sample' (or 'latent', 'z'); expected a float tensor (fp32, fp16 or bf16) of shape (B, 16, h, w); the inputs are: input_ids", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WrongOutputName_InFluxJson_IsReportedWithTheActualOutputs()
    {
        File.WriteAllText(Path.Combine(_copy, "flux.json"), """{ "transformerOutput": "out_hidden_states" }""");
        var ex = Assert.Throws<FluxModelException>(() => Open(_copy));
        Assert.Contains("flux.json names output 'out_hidden_states' for transformer.velocity, but the outputs are: latent", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SessionsThatDoNotBelongTogether_AreCrossChecked()
    {
        File.Copy(Path.Combine(BuiltPackages.Directory("reference"), "text_encoder_2", "model.onnx"), Path.Combine(_copy, "text_encoder_2", "model.onnx"), overwrite: true);
        var ex = Assert.Throws<FluxModelException>(() => Open(_copy));
        Assert.Matches("has Dt = \\d+ but .* has Dt = \\d+; the sessions do not belong together", ex.Message);
    }

    [Fact]
    public void SilentFluxJson_VariantComesFromTheGuidanceInput_AndDefaultsFollowIt()
    {
        string dev = PackageCopy.Of(BuiltPackages.Directory("tiny-dev"));
        try
        {
            File.Delete(Path.Combine(dev, "flux.json"));
            File.Delete(Path.Combine(_copy, "flux.json"));
            var devPackage = Open(dev);
            var schnellPackage = Open(_copy);
            Assert.Equal((FluxVariant.Dev, "guidance input", Flux.Core.ScheduleShift.Dynamic, 50, 3.5f),
                (devPackage.Variant, devPackage.VariantSource, devPackage.Shift, devPackage.DefaultSteps, devPackage.DefaultGuidance));
            Assert.Equal((FluxVariant.Schnell, "guidance input", Flux.Core.ScheduleShift.None, 4),
                (schnellPackage.Variant, schnellPackage.VariantSource, schnellPackage.Shift, schnellPackage.DefaultSteps));
            Assert.Equal(devPackage.Io.Dimensions["T"], devPackage.T5MaxLength);   // T5 length read from the sessions
        }
        finally
        {
            Directory.Delete(dev, recursive: true);
        }
    }

    [Fact]
    public void FluxJsonOverrides_AreApplied_AndAContradictionIsReported()
    {
        File.WriteAllText(Path.Combine(_copy, "flux.json"), """{ "defaultSteps": 9, "defaultGuidance": 2.5, "shift": "3", "vaeScale": 0.5, "vaeShift": 0.25 }""");
        var package = Open(_copy);
        Assert.Equal((9, 2.5f, Flux.Core.ScheduleShift.Static(3), 0.5f, 0.25f),
            (package.DefaultSteps, package.DefaultGuidance, package.Shift, package.VaeScale, package.VaeShift));

        File.WriteAllText(Path.Combine(_copy, "flux.json"), """{ "variant": "dev" }""");
        var ex = Assert.Throws<FluxModelException>(() => Open(_copy));
        Assert.Equal($"flux.json says variant dev but {Path.Combine(_copy, "transformer", "model.onnx")} has no 'guidance' input", ex.Message);
    }

    [Fact]
    public void NotAPackage_SaysWhichLayoutsAreAccepted()
    {
        string empty = Directory.CreateTempSubdirectory("flux-empty-").FullName;
        var ex = Assert.Throws<FluxModelException>(() => Open(empty));
        Assert.StartsWith($"directory {empty} is not a FLUX model package", ex.Message, StringComparison.Ordinal);
        Directory.Delete(empty);
    }

    [Fact]
    public void BflLayoutWithoutTokenizerPaths_AsksForThemInFluxJson()
    {
        string bfl = Directory.CreateTempSubdirectory("flux-bfl-").FullName;
        foreach (var (from, to) in new[] { ("text_encoder", "clip.opt"), ("text_encoder_2", "t5.opt"), ("transformer", "transformer.opt/fp32"), ("vae_decoder", "vae.opt") })
        {
            Directory.CreateDirectory(Path.Combine(bfl, to));
            File.Copy(Path.Combine(_copy, from, "model.onnx"), Path.Combine(bfl, to, "model.onnx"));
        }

        var ex = Assert.Throws<FluxModelException>(() => Open(bfl));
        Assert.Contains("ships without tokenizers", ex.Message, StringComparison.Ordinal);

        File.WriteAllText(Path.Combine(bfl, "flux.json"), $$"""{ "clipTokenizer": "{{Path.Combine(_copy, "tokenizer")}}", "t5Tokenizer": "{{Path.Combine(_copy, "tokenizer_2", "spiece.model")}}" }""");
        var package = Open(bfl);
        Assert.Equal(PackageLayout.Bfl, package.Layout);
        Assert.Equal(Path.Combine(bfl, "transformer.opt", "fp32", "model.onnx"), package.Files.TransformerModel);
        Directory.Delete(bfl, true);
    }

    [Theory]
    [InlineData(1000, 256, 4, 0f, "width 1000 is not a multiple of 16")]
    [InlineData(256, 256, 0, 0f, "steps 0 is out of range: it must be between 1 and 1000")]
    [InlineData(256, 256, 4, 250f, "guidance 250 is out of range: it must be a finite number between 0 and 100")]
    public void InvalidSettings_AreRejectedBeforeAnyWork(int width, int height, int steps, float guidance, string message)
    {
        var settings = new GenerationSettings("a cat", width, height, steps, guidance, 1, "euler", 0);
        var ex = Assert.Throws<InvalidGenerationSettingsException>(() => packages.Tiny.Generate(settings));
        Assert.Equal(message, ex.Message);
    }

    [Fact]
    public void ReferencePackage_RejectsOtherSizes()
    {
        var settings = GenerationSettings.Defaults(packages.Reference.Package, "a red circle") with { Width = 512 };
        var ex = Assert.Throws<InvalidGenerationSettingsException>(() => packages.Reference.Generate(settings));
        Assert.Equal("width 512 is not supported by this model package: it renders width 256 only", ex.Message);
    }

    public void Dispose() => Directory.Delete(_copy, recursive: true);

    private static ModelPackage Open(string directory) => ModelPackage.Open(directory, BuiltPackages.Cpu, new SessionCache());
}
