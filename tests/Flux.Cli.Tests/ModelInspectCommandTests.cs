using System.Text.Json;
using Flux.Tests.Shared;

namespace Flux.Cli.Tests;

/// <summary>`flux model inspect` and `flux bench` on the built-in packages.</summary>
public class ModelInspectCommandTests
{
    [Fact]
    public void Inspect_PrintsLayoutVariantAndEveryTensor()
    {
        var (exitCode, output, error) = CliRunner.Run("model", "inspect", "tiny-dev");
        Assert.Equal(0, exitCode);
        Assert.Empty(error);
        foreach (string expected in new[] { "Diffusers", "Dev (from flux.json)", "dynamic", "input_ids", "pooler_output", "last_hidden_state",
            "hidden_states", "(B, L, 64)", "guidance", "img_ids", "latent_sample", "(B, 16, h, w)", "sample", "Float", "Int64" })
        {
            Assert.Contains(expected, output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Inspect_OfABrokenPackage_ReportsOneLine_ExitCode1()
    {
        string empty = Directory.CreateTempSubdirectory("flux-inspect-").FullName;
        var (exitCode, _, error) = CliRunner.Run("model", "inspect", empty);
        Assert.Equal(1, exitCode);
        Assert.StartsWith($"error: directory {empty} is not a FLUX model package", error, StringComparison.Ordinal);
        Directory.Delete(empty);
    }

    [Fact]
    public void Inspect_OfAWrongContract_ShowsTheSessionsThenTheReason()
    {
        string package = PackageCopy.Of(Flux.ModelBuilder.BuiltInPackages.EnsureBuilt("tiny"));

        string vae = Path.Combine(package, "vae_decoder", "model.onnx");
        File.Copy(Path.Combine(package, "text_encoder_2", "model.onnx"), vae, overwrite: true);
        var (exitCode, output, error) = CliRunner.Run("model", "inspect", package);

        Assert.Equal(1, exitCode);
        Assert.Contains("VaeDecoder", output, StringComparison.Ordinal);
        Assert.Contains("input_ids", output, StringComparison.Ordinal);
        Assert.StartsWith($"error: model file {vae}: no input named 'latent_sample'", error, StringComparison.Ordinal);
        Directory.Delete(package, recursive: true);
    }

    [Fact]
    public void BenchJson_ReportsOverheadAndAllocationsPerStep()
    {
        var (exitCode, output, _) = CliRunner.Run("bench", "--model", "tiny", "--provider", "cpu", "--width", "64", "--height", "64", "--steps", "3", "--runs", "1", "--warmup", "1", "--json");
        Assert.Equal(0, exitCode);
        using var report = JsonDocument.Parse(output);
        var run = report.RootElement.GetProperty("runs")[0];
        Assert.Equal(1 + 1 + 3 + 1, run.GetProperty("sessionRuns").GetInt64());   // CLIP, T5, one transformer run per Euler step, VAE
        // The ratios are the ones their documentation defines, recomputed from the report's own times (1% for the
        // rounding of the times to 0.01 ms); "ratio >= 1" would hold by construction and catch nothing.
        double endToEnd = run.GetProperty("endToEndMs").GetDouble(), sessions = run.GetProperty("sessionRunMs").GetDouble();
        Assert.InRange(sessions, 0.01, endToEnd);
        AssertWithinOnePercent(endToEnd / sessions, run.GetProperty("overheadRatio").GetDouble());
        AssertWithinOnePercent((endToEnd + run.GetProperty("pngEncodeMs").GetDouble()) / sessions, run.GetProperty("overheadRatioWithPng").GetDouble());
        Assert.True(report.RootElement.GetProperty("maxAllocatedBytesPerStep").GetInt64() < 16 * 1024);
    }

    /// <summary>
    /// True CFG runs the two conditionings as one batch: the same number of session runs as the plain generation (CLIP and
    /// T5 once each for both prompts, one transformer run per evaluation), and its step time set against the plain one.
    /// </summary>
    [Fact]
    public void BenchTrueCfg_MakesNoExtraSessionRuns_AndReportsTheStepRatio()
    {
        var (exitCode, output, error) = CliRunner.Run("bench", "--model", "tiny-dev", "--provider", "cpu", "--width", "64", "--height", "64", "--steps", "3", "--runs", "1", "--warmup", "1", "--true-cfg", "3", "--json");

        Assert.True(exitCode == 0, error);
        using var report = JsonDocument.Parse(output);
        var run = report.RootElement.GetProperty("runs")[0];
        var guided = run.GetProperty("trueCfg");
        Assert.Equal(run.GetProperty("sessionRuns").GetInt64(), guided.GetProperty("sessionRuns").GetInt64());
        AssertWithinOnePercent(guided.GetProperty("stepMs").GetDouble() / run.GetProperty("stepMs").GetDouble(), run.GetProperty("trueCfgStepRatio").GetDouble());
        Assert.Equal(run.GetProperty("trueCfgStepRatio").GetDouble(), report.RootElement.GetProperty("medianTrueCfgStepRatio").GetDouble());
    }

    private static void AssertWithinOnePercent(double expected, double actual) => Assert.InRange(actual, expected * 0.99, expected * 1.01);

    [Theory]
    [InlineData("--warmup 0", "error: --warmup 0 is out of range (allowed: 1 to 100)")]
    [InlineData("--runs 101", "error: --runs 101 is out of range (allowed: 1 to 100)")]
    [InlineData("--true-cfg 1", "error: --true-cfg 1 is true CFG off (allowed: above 1 to 20)")]
    public void BenchInvalidArguments_GiveOneLineNamingTheOption_ExitCode2(string arguments, string message)
    {
        var (exitCode, _, error) = CliRunner.Run(["bench", "--model", "tiny", "--provider", "cpu", .. arguments.Split(' ')]);
        Assert.Equal(2, exitCode);
        Assert.Equal(message, error);
    }
}
