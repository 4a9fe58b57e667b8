namespace Flux.Cli.Tests;

/// <summary>`flux model inspect` lists the optional VAE encoder (image-to-image) when the package has one.</summary>
public class ModelInspectEncoderTests
{
    [Fact]
    public void Inspect_OfAPackageWithAnEncoder_ShowsItsTensorsAndRoles()
    {
        var (exitCode, output, error) = CliRunner.Run("model", "inspect", "reference");

        Assert.Equal(0, exitCode);
        Assert.Empty(error);
        Assert.Contains("VaeEncoder", output, StringComparison.Ordinal);
        Assert.Contains("vae_encoder", output, StringComparison.Ordinal);
        Assert.Contains("(B, 3, H, W)", output, StringComparison.Ordinal);
    }
}
