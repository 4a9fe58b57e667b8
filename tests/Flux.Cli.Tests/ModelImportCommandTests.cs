using Flux.Tests.Shared;

namespace Flux.Cli.Tests;

/// <summary>`flux model import` through the real command line: exit codes, one-line errors, no package on failure.</summary>
public sealed class ModelImportCommandTests
{
    [Fact]
    public void Import_OfAHuggingFaceFolder_ExitsZeroAndWritesThePackage()
    {
        using var folder = new TemporaryFolder();
        var source = WriteSource(folder.Path, new SmallFlux(Dev: false));
        var output = Path.Combine(folder.Path, "package");

        var (exitCode, stdout, error) = CliRunner.Run("model", "import", source, "--out", output);

        Assert.True(exitCode == 0, error);
        Assert.Contains("FLUX.1-schnell", stdout, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(output, "transformer", "model.onnx.data")));
        Assert.Contains("\"t5MaxLength\": 256", File.ReadAllText(Path.Combine(output, "flux.json")), StringComparison.Ordinal);
    }

    [Fact]
    public void ImportedPackage_LoadsInInspect_AndGenerateWritesAnImage()
    {
        using var folder = new TemporaryFolder();
        var source = WriteSource(folder.Path, new SmallFlux(Dev: true));
        var package = Path.Combine(folder.Path, "package");
        Assert.Equal(0, CliRunner.Run("model", "import", source, "--out", package, "--precision", "bf16").ExitCode);

        var (inspectExit, inspectOutput, inspectError) = CliRunner.Run("model", "inspect", package);
        Assert.True(inspectExit == 0, inspectError);
        Assert.Contains("Dev (from flux.json)", inspectOutput, StringComparison.Ordinal);
        Assert.Contains("guidance", inspectOutput, StringComparison.Ordinal);

        var png = Path.Combine(folder.Path, "fox.png");
        var (exitCode, _, error) = CliRunner.Run("generate", "a red fox", "--model", package, "--provider", "cpu", "--width", "64", "--height", "64", "--steps", "2", "-o", png);
        Assert.True(exitCode == 0, error);
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], File.ReadAllBytes(png)[..4]);
    }

    [Theory]
    [InlineData("header longer than the file")]
    [InlineData("missing shard")]
    [InlineData("missing folder")]
    public void BadInput_ExitsTwo_WithOneLine_AndNoPackage(string problem)
    {
        using var folder = new TemporaryFolder();
        var source = WriteSource(folder.Path, new SmallFlux(Dev: true));
        var shard = Directory.GetFiles(Path.Combine(source, "transformer"), "*-00002-of-*.safetensors").Single();
        string expected;
        switch (problem)
        {
            case "header longer than the file":
                SafeTensorsWriter.WriteRaw(shard, "{}", [], claimedHeaderLength: 1 << 20);
                expected = "is longer than the";
                break;
            case "missing shard":
                File.Delete(shard);
                expected = $"shard '{Path.GetFileName(shard)}' named in weight_map is missing";
                break;
            default:
                Directory.Delete(Path.Combine(source, "tokenizer_2"), recursive: true);
                expected = "spiece.model: file not found";
                break;
        }

        var output = Path.Combine(folder.Path, "package");
        var (exitCode, _, error) = CliRunner.Run("model", "import", source, "--out", output);

        Assert.Equal(2, exitCode);
        Assert.Contains(expected, error, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error);
        Assert.False(Directory.Exists(output));
        Assert.Empty(Directory.GetDirectories(folder.Path, ".package.*"));
    }

    [Theory]
    [InlineData("--variant", "turbo", "--variant 'turbo' is not a variant")]
    [InlineData("--precision", "fp8", "--precision 'fp8' is not a precision")]
    [InlineData("--lora", "style.safetensors:strong", "--lora 'style.safetensors:strong'")]
    public void InvalidOption_ExitsTwo_NamingIt(string option, string value, string expected)
    {
        using var folder = new TemporaryFolder();
        var (exitCode, _, error) = CliRunner.Run("model", "import", folder.Path, "--out", Path.Combine(folder.Path, "p"), option, value);
        Assert.Equal(2, exitCode);
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    /// <summary>A small FLUX.1 folder in the Hugging Face layout, tokenizers from the repository's test data.</summary>
    internal static string WriteSource(string root, SmallFlux sizes)
    {
        var source = Directory.CreateDirectory(Path.Combine(root, "FLUX.1-small")).FullName;
        File.WriteAllText(Path.Combine(source, "model_index.json"), """{"_class_name": "FluxPipeline"}""");
        var tokenizer = Directory.CreateDirectory(Path.Combine(source, "tokenizer")).FullName;
        File.Copy(TokenizerTestFiles.ClipVocabJson, Path.Combine(tokenizer, "vocab.json"));
        File.Copy(TokenizerTestFiles.ClipMergesTxt, Path.Combine(tokenizer, "merges.txt"));
        File.Copy(TokenizerTestFiles.T5SpieceModel, Path.Combine(Directory.CreateDirectory(Path.Combine(source, "tokenizer_2")).FullName, "spiece.model"));
        TextEncoderCheckpoints.WriteClip(Path.Combine(source, "text_encoder"), sizes.Pooled, seed: 22);
        TextEncoderCheckpoints.WriteT5(Path.Combine(source, "text_encoder_2"), sizes.Context, seed: 23);
        VaeTestCheckpoint.WriteDiffusers(Path.Combine(source, "vae"), seed: 24);
        var transformer = Path.Combine(source, "transformer");
        var diffusers = FluxCheckpoints.ToDiffusers(FluxCheckpoints.Bfl(sizes, seed: 21), sizes);
        SafeTensorsWriter.WriteSharded(transformer, "diffusion_pytorch_model", [.. FluxCheckpoints.AsTensors(diffusers, "BF16")], tensorsPerShard: 20);
        File.WriteAllText(Path.Combine(transformer, "config.json"), FluxCheckpoints.DiffusersConfig(sizes));
        return source;
    }
}
