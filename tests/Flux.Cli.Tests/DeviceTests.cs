using Flux.Inference.Sessions;
using Flux.Tests.Shared;
using SixLabors.ImageSharp;

namespace Flux.Cli.Tests;

/// <summary>--provider on a machine without a usable CUDA provider (every test machine: this project links the CPU build).</summary>
public sealed class DeviceTests
{
    private static readonly string[] Tiny = ["--model", "tiny", "--width", "64", "--height", "64", "--steps", "1"];

    [Fact]
    public void ProviderCuda_WithoutUsableCuda_IsAUsageErrorSayingWhy_AndWritesNothing()
    {
        using var folder = new TemporaryFolder();
        string output = Path.Combine(folder.Path, "cuda.png");

        var (exitCode, _, error) = CliRunner.Run(["generate", "a cat", "--provider", "cuda", "-o", output, .. Tiny]);

        Assert.Equal(2, exitCode);
        Assert.Equal($"error: --provider cuda: CUDA is not usable: {CudaProbe.Check(0).Reason} (allowed here: --provider cpu or auto)", error);
        Assert.Contains("CPU build of ONNX Runtime", error, StringComparison.Ordinal);
        Assert.False(File.Exists(output));
    }

    [Theory]
    [InlineData("cpu")]
    [InlineData("auto")]
    public void CudaGraph_WithoutProviderCuda_IsAUsageErrorNamingBothOptions(string provider)
    {
        using var folder = new TemporaryFolder();
        string output = Path.Combine(folder.Path, "graph.png");

        var (exitCode, _, error) = CliRunner.Run(["generate", "a cat", "--provider", provider, "--cuda-graph", "-o", output, .. Tiny]);

        Assert.Equal(2, exitCode);
        Assert.Contains($"--cuda-graph needs --provider cuda, not {provider}", error, StringComparison.Ordinal);
        Assert.False(File.Exists(output));
    }

    [Fact]
    public void ProviderAuto_FallsBackToTheCpu_WithOneWarningLine_AndReportsTheCpuInSummaryAndMetadata()
    {
        using var folder = new TemporaryFolder();
        string output = Path.Combine(folder.Path, "auto.png");

        var (exitCode, summary, error) = CliRunner.Run(["generate", "a cat", "--provider", "auto", "-o", output, .. Tiny]);

        Assert.Equal(0, exitCode);
        string warning = Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("warning: CUDA is not usable (", warning, StringComparison.Ordinal);
        Assert.EndsWith("); running on the CPU", warning, StringComparison.Ordinal);
        Assert.Contains("provider CPU", summary, StringComparison.Ordinal);
        var text = Image.Identify(output).Metadata.GetPngMetadata().TextData;
        Assert.Contains(text, t => t.Keyword == "provider" && t.Value == "CPU");
    }

    [Fact]
    public void TextEncodersOnCpu_ReachesTheSessionOptions_AndARunOnTheCpuReportsPlainCpu()
    {
        using var folder = new TemporaryFolder();
        string output = Path.Combine(folder.Path, "encoders.png");
        Assert.True(new Commands.GenerateArguments { TextEncodersOnCpu = true }.ToOptions().TextEncodersOnCpu);

        var (exitCode, summary, error) = CliRunner.Run(["generate", "a cat", "--provider", "cpu", "--text-encoders-on-cpu", "-o", output, .. Tiny]);

        Assert.Equal(0, exitCode);
        Assert.Equal(string.Empty, error);
        Assert.Contains("provider CPU,", summary, StringComparison.Ordinal);   // everything is on the CPU: nothing to single out
        Assert.True(File.Exists(output));
    }

    [Fact]
    public void MissingLibrary_NamesTheFirstLibraryThatDoesNotLoad()
    {
        Assert.Null(CudaProbe.MissingLibrary(["libc.so.6", "libm.so.6"]));
        Assert.Equal("libflux-absent.so.13", CudaProbe.MissingLibrary(["libc.so.6", "libflux-absent.so.13", "libalso-absent.so.9"]));
    }

    [Fact]
    public void RequiredLibraries_AreTheDriverThenCuda13AndCudnn9()
    {
        Assert.Equal(
            ["libcuda.so.1", "libcudart.so.13", "libcublasLt.so.13", "libcublas.so.13", "libcurand.so.10", "libcufft.so.12", "libcudnn.so.9"],
            CudaProbe.RequiredLibraries);
    }
}
