using System.Globalization;
using System.Text.Json;
using Flux.Core;

namespace Flux.Cli.Tests;

public class ScheduleCommandTests
{
    [Fact]
    public void Json_PrintsExactlyTheSigmasObject()
    {
        var (exitCode, output, error) = CliRunner.Run("schedule", "--steps", "4", "--width", "1024", "--height", "1024", "--json");

        Assert.Equal(0, exitCode);
        Assert.Equal("{\"sigmas\":[1,0.75,0.5,0.25,0]}", output);
        Assert.Empty(error);
    }

    [Fact]
    public void Json_WithDynamicShift_EqualsTheDevFormulaForTheImageSize()
    {
        var (exitCode, output, _) = CliRunner.Run("schedule", "--steps", "28", "--width", "1360", "--height", "768", "--shift", "dynamic", "--json");

        Assert.Equal(0, exitCode);
        Assert.DoesNotContain("\n", output, StringComparison.Ordinal);   // one line, never wrapped to the console width
        using var json = JsonDocument.Parse(output);
        Assert.Equal(["sigmas"], json.RootElement.EnumerateObject().Select(p => p.Name));
        double[] sigmas = json.RootElement.GetProperty("sigmas").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        double mu = 0.5 + ((1.15 - 0.5) / 3840 * ((85 * 48) - 256));
        Assert.Equal(29, sigmas.Length);
        Assert.Equal(1.0, sigmas[0]);
        Assert.Equal(0.0, sigmas[28]);
        for (int i = 1; i < 28; i++)
        {
            double t = 1 - (i / 28.0);
            Assert.Equal(Math.Exp(mu) / (Math.Exp(mu) + ((1 / t) - 1)), sigmas[i], 1e-12);
        }
    }

    [Fact]
    public void Json_WithStaticShift_UsesTheSd3Formula()
    {
        var (_, output, _) = CliRunner.Run("schedule", "--steps", "2", "--width", "512", "--height", "512", "--shift", "3", "--json");

        Assert.Equal("{\"sigmas\":[1,0.75,0]}", output);   // 3 * 0.5 / (1 + 2 * 0.5)
    }

    [Fact]
    public void Table_ListsEveryTimestep()
    {
        var (exitCode, output, _) = CliRunner.Run("schedule", "--steps", "3", "--width", "512", "--height", "768", "--shift", "dynamic");

        Assert.Equal(0, exitCode);
        Assert.Contains("3 steps at 512x768 (L = 1536)", output, StringComparison.Ordinal);
        foreach (double t in Schedule.Flux(3, 1536, ScheduleShift.Dynamic))
        {
            Assert.Contains(t.ToString("R", CultureInfo.InvariantCulture), output, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("--width 1000", "error: --width 1000 is not a multiple of 16 (allowed: multiples of 16 from 16 to 16384)")]
    [InlineData("--height 0", "error: --height 0 is out of range (allowed: multiples of 16 from 16 to 16384)")]
    [InlineData("--steps 0", "error: --steps 0 is out of range (allowed: 1 to 10000)")]
    [InlineData("--steps four", "error: --steps 'four' is not a whole number (allowed: 1 to 10000)")]
    [InlineData("--shift fast", "error: --shift 'fast' is not a shift (allowed: none, dynamic or a number greater than 0)")]
    [InlineData("--shift -1", "error: --shift '-1' is not a shift (allowed: none, dynamic or a number greater than 0)")]
    public void InvalidValue_IsOneLineNamingTheOptionAndAllowedValues_ExitCode2(string replacement, string message)
    {
        var (exitCode, output, error) = CliRunner.Run(WithOption(replacement));

        Assert.Equal(2, exitCode);
        Assert.Equal(message, error);
        Assert.Empty(output);
    }

    [Fact]
    public void MissingOption_IsReportedAsRequired()
    {
        var (exitCode, _, error) = CliRunner.Run("schedule", "--width", "1024", "--height", "1024");

        Assert.Equal(2, exitCode);
        Assert.Equal("error: --steps is required (allowed: 1 to 10000)", error);
    }

    [Fact]
    public void UnknownOption_IsAUsageErrorWithoutStackTrace()
    {
        var (exitCode, _, error) = CliRunner.Run("schedule", "--steps", "4", "--width", "1024", "--height", "1024", "--bogus");

        Assert.Equal(2, exitCode);
        Assert.StartsWith("error: ", error, StringComparison.Ordinal);
        Assert.Contains("bogus", error, StringComparison.Ordinal);
        Assert.EndsWith("(run with --help for the allowed options and values)", error, StringComparison.Ordinal);
        Assert.DoesNotContain("\n", error, StringComparison.Ordinal);
        Assert.DoesNotContain(" at ", error, StringComparison.Ordinal);
    }

    // The valid base command line with one option replaced (or added).
    private static string[] WithOption(string replacement)
    {
        var options = new Dictionary<string, string> { ["--steps"] = "4", ["--width"] = "1024", ["--height"] = "1024" };
        string[] parts = replacement.Split(' ');
        options[parts[0]] = parts[1];
        return ["schedule", .. options.SelectMany(o => new[] { o.Key, o.Value })];
    }
}
