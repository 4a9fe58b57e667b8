using Flux.Inference;
using Flux.Tests.Shared;
using SixLabors.ImageSharp;

namespace Flux.Cli.Tests;

/// <summary>fal's size presets: the one type the CLI (and later the service) reads them with, and `--size`.</summary>
public sealed class SizePresetTests
{
    [Theory]
    [InlineData("square_hd", 1024, 1024)]
    [InlineData("square", 512, 512)]
    [InlineData("portrait_4_3", 768, 1024)]
    [InlineData("portrait_16_9", 576, 1024)]
    [InlineData("landscape_4_3", 1024, 768)]
    [InlineData("landscape_16_9", 1024, 576)]
    [InlineData("Square_HD", 1024, 1024)]
    public void Parse_GivesFalsSizes(string name, int width, int height)
    {
        var preset = SizePreset.Parse(name);

        Assert.Equal((width, height), (preset.Width, preset.Height));
        Assert.Equal(0, preset.Width % 16 + preset.Height % 16);
    }

    [Fact]
    public void Parse_OfAnUnknownName_NamesTheFieldAndListsTheAllowedNames()
    {
        var error = Assert.Throws<InvalidGenerationSettingsException>(() => SizePreset.Parse("square_xl"));

        Assert.Equal("size", error.Field);
        Assert.Equal("size 'square_xl' is not a size preset: it must be one of square_hd, square, portrait_4_3, portrait_16_9, landscape_4_3, landscape_16_9", error.Message);
    }

    [Fact]
    public void Cli_SizeOption_RendersThePresetsSize()
    {
        using var folder = new TemporaryFolder();
        string output = Path.Combine(folder.Path, "wide.png");

        var (exitCode, _, error) = CliRunner.Run("generate", "a cat", "--model", "tiny", "--provider", "cpu", "--steps", "1", "--size", "landscape_16_9", "-o", output);

        Assert.True(exitCode == 0, error);
        var info = Image.Identify(output);
        Assert.Equal((1024, 576), (info.Width, info.Height));
    }

    [Theory]
    [InlineData("--size square --width 512", "error: --size cannot be combined with --width (allowed: either --size PRESET or --width/--height)")]
    [InlineData("--size square --height 512", "error: --size cannot be combined with --height (allowed: either --size PRESET or --width/--height)")]
    [InlineData("--size huge", "error: --size 'huge' is not a size preset (allowed: square_hd, square, portrait_4_3, portrait_16_9, landscape_4_3, landscape_16_9)")]
    public void Cli_SizeMistakes_AreUsageErrors(string arguments, string message)
    {
        var (exitCode, _, error) = CliRunner.Run(["generate", "a cat", "--model", "tiny", "--provider", "cpu", .. arguments.Split(' ')]);

        Assert.Equal(2, exitCode);
        Assert.Equal(message, error);
    }
}
