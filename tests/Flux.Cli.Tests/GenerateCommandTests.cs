using System.Diagnostics;
using Flux.Inference;
using Flux.Inference.Imaging;
using Flux.Inference.Sessions;
using Flux.ModelBuilder;
using Flux.Tests.Shared;

namespace Flux.Cli.Tests;

/// <summary>`flux generate` end to end on the built-in packages (CPU provider).</summary>
public class GenerateCommandTests
{
    private static readonly string[] TinyArgs = ["--model", "tiny", "--provider", "cpu", "--width", "256", "--height", "256"];

    [Fact]
    public void Generate_WritesThePipelinesPng_ForTheGivenSettings()
    {
        using var folder = new TemporaryFolder();
        string output = Path.Combine(folder.Path, "cat.png");
        var (exitCode, _, error) = CliRunner.Run(["generate", "a photo of a cat", "-o", output, .. TinyArgs, "--steps", "3", "--seed", "9", "--sampler", "heun"]);

        Assert.Equal(0, exitCode);
        Assert.Empty(error);
        using var pipeline = FluxPipeline.Open(BuiltInPackages.EnsureBuilt("tiny"), new InferenceOptions { ExecutionProvider = ExecutionProviderKind.Cpu });
        var settings = new GenerationSettings("a photo of a cat", 256, 256, 3, pipeline.Package.DefaultGuidance, 9, "heun", 0);
        using var expected = pipeline.Generate(settings);
        // The pipeline's PNG, plus the provider the run used.
        byte[] png = PngEncoding.Encode(expected.Rgb, 256, 256, [.. settings.PngText(pipeline.Package.Name), new("provider", "CPU")]);
        Assert.Equal(png, File.ReadAllBytes(output));
    }

    [Fact]
    public void SameSeed_GivesByteIdenticalFiles_CountWritesNumberedImages()
    {
        using var folder = new TemporaryFolder();
        string first = Path.Combine(folder.Path, "a.png"), second = Path.Combine(folder.Path, "b.png");
        Assert.Equal(0, CliRunner.Run(["generate", "a dog", "-o", first, .. TinyArgs, "--steps", "2", "--seed", "5"]).ExitCode);
        Assert.Equal(0, CliRunner.Run(["generate", "a dog", "-o", second, .. TinyArgs, "--steps", "2", "--seed", "5", "--count", "2"]).ExitCode);

        Assert.Equal(File.ReadAllBytes(first), File.ReadAllBytes(Path.Combine(folder.Path, "b-0.png")));
        Assert.NotEqual(File.ReadAllBytes(first), File.ReadAllBytes(Path.Combine(folder.Path, "b-1.png")));
    }

    [Theory]
    [InlineData("--width 1000", "error: --width 1000 is not a multiple of 16 (allowed: multiples of 16 from 16 to 4096)")]
    [InlineData("--height 0", "error: --height 0 is out of range (allowed: multiples of 16 from 16 to 4096)")]
    [InlineData("--steps 0", "error: --steps 0 is out of range (allowed: 1 to 1000)")]
    [InlineData("--steps many", "error: --steps 'many' is not a whole number (allowed: 1 to 1000)")]
    [InlineData("--guidance 101", "error: --guidance 101 is out of range (allowed: 0 to 100)")]
    [InlineData("--guidance nan", "error: --guidance 'nan' is not a number (allowed: 0 to 100)")]
    [InlineData("--sampler ddim", "error: --sampler 'ddim' is not a sampler (allowed: euler, heun, rk4)")]
    [InlineData("--count 0", "error: --count 0 is out of range (allowed: 1 to 64)")]
    [InlineData("--model /no/such/folder", "error: --model '/no/such/folder' is not a folder (allowed: a model package folder, tiny, tiny-dev, reference)")]
    [InlineData("--resume", "error: --resume needs a checkpoint folder (allowed: --resume together with --checkpoint-dir <DIR>)")]
    [InlineData("--width 512", "error: --width 512 is not supported by this model package: it renders width 256 only")]
    public void InvalidArguments_GiveOneLineNamingTheOption_ExitCode2(string arguments, string message)
    {
        var (exitCode, _, error) = CliRunner.Run(["generate", "a cat", "--provider", "cpu", .. arguments.Split(' ')]);
        Assert.Equal(2, exitCode);
        Assert.Equal(message, error);
    }

    [Fact]
    public void CrashMidRun_LeavesNoPartialPng_AndResumeGivesTheUninterruptedImage()
    {
        using var folder = new TemporaryFolder();
        string checkpoints = Path.Combine(folder.Path, "ckpt"), output = Path.Combine(folder.Path, "out", "image.png");
        string[] run = ["generate", "a green tree", .. TinyArgs, "--steps", "60", "--seed", "4"];

        using (var process = CliRunner.Start([.. run, "-o", output, "--checkpoint-dir", checkpoints]))
        {
            var waited = Stopwatch.StartNew();
            while (Checkpoints(checkpoints).Length == 0 && !process.HasExited && waited.Elapsed < TimeSpan.FromMinutes(2))
            {
                Thread.Sleep(20);
            }

            Assert.False(process.HasExited, "flux finished before it could be interrupted");
            process.Kill();
            process.WaitForExit();
        }

        Assert.False(File.Exists(output));
        Assert.Empty(Directory.Exists(Path.GetDirectoryName(output)) ? Directory.GetFiles(Path.GetDirectoryName(output)!) : []);

        // A resume with settings other than the checkpoint's is refused naming the setting, and leaves the checkpoint alone.
        string checkpoint = Assert.Single(Checkpoints(checkpoints));
        var (otherSteps, _, stepsError) = CliRunner.Run(["generate", "a green tree", .. TinyArgs, "--steps", "30", "--seed", "4", "-o", output, "--checkpoint-dir", checkpoints, "--resume"]);
        Assert.Equal(2, otherSteps);
        Assert.Contains("was written with --steps 60, this run has --steps 30", stepsError, StringComparison.Ordinal);
        var (otherSeed, _, seedError) = CliRunner.Run(["generate", "a green tree", .. TinyArgs, "--steps", "60", "--seed", "5", "-o", output, "--checkpoint-dir", checkpoints, "--resume"]);
        Assert.Equal(2, otherSeed);
        Assert.Contains("was written with --seed 4, this run has --seed 5", seedError, StringComparison.Ordinal);
        Assert.Equal(checkpoint, Assert.Single(Checkpoints(checkpoints)));

        Assert.Equal(0, CliRunner.Run([.. run, "-o", output, "--checkpoint-dir", checkpoints, "--resume"]).ExitCode);
        string uninterrupted = Path.Combine(folder.Path, "uninterrupted.png");
        Assert.Equal(0, CliRunner.Run([.. run, "-o", uninterrupted]).ExitCode);
        Assert.Equal(File.ReadAllBytes(uninterrupted), File.ReadAllBytes(output));
        Assert.Empty(Checkpoints(checkpoints));   // removed once the image is written
    }

    private static string[] Checkpoints(string folder) =>
        Directory.Exists(folder) ? Directory.GetFiles(folder, "*.fluxckpt") : [];
}
