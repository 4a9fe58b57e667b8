using Flux.Core;
using Flux.Inference;
using Flux.Inference.Imaging;
using Flux.Inference.Sessions;
using Flux.Inference.Stages;
using Flux.ModelBuilder;
using Flux.Tests.Shared;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Flux.Cli.Tests;

/// <summary>
/// `flux generate` with true CFG (--negative-prompt, --true-cfg), --prompt2, image-to-image (--image, --strength),
/// inpainting (--mask), --preview and their prompt-list fields: each run writes the file the library makes from the same
/// settings, and each mistake is one line naming the option, exit code 2. Mutations tried, each failing a test here:
/// --resume not comparing --strength; the preview always written as PNG; a list item's strength ignored; --prompt2
/// dropped.
/// </summary>
public sealed class GenerateImageInputTests : IDisposable
{
    private const string Circle = "a red circle on a blue background";
    private static readonly string[] Reference = ["--model", "reference", "--provider", "cpu", "--steps", "4", "--seed", "3"];
    private static readonly string[] TinyDev = ["--model", "tiny-dev", "--provider", "cpu", "--width", "64", "--height", "64", "--steps", "2", "--seed", "3"];
    private static readonly InferenceOptions Cpu = new() { ExecutionProvider = ExecutionProviderKind.Cpu };
    private readonly TemporaryFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void NegativePromptAndTrueCfg_WriteTheLibrarysTrueCfgImage()
    {
        string output = Out("cfg.png");

        var (exitCode, _, error) = CliRunner.Run(["generate", Circle, "-o", output, .. TinyDev, "--negative-prompt", "blurry", "--true-cfg", "3"]);

        Assert.True(exitCode == 0, error);
        var settings = Settings("tiny-dev", Circle) with { NegativePrompt = "blurry", TrueCfgScale = 3f };
        Assert.Equal(Expected("tiny-dev", settings), File.ReadAllBytes(output));
        Assert.NotEqual(Expected("tiny-dev", settings with { TrueCfgScale = 1f }), File.ReadAllBytes(output));
    }

    [Fact]
    public void Prompt2_GoesToT5_AndTheImageIsTheLibrarys()
    {
        string output = Out("prompt2.png");

        var (exitCode, _, error) = CliRunner.Run(["generate", Circle, "-o", output, .. TinyDev, "--prompt2", "an oil painting of a harbour"]);

        Assert.True(exitCode == 0, error);
        var settings = Settings("tiny-dev", Circle) with { Prompt2 = "an oil painting of a harbour" };
        Assert.Equal(Expected("tiny-dev", settings), File.ReadAllBytes(output));
        Assert.NotEqual(Expected("tiny-dev", settings with { Prompt2 = null }), File.ReadAllBytes(output));
    }

    [Fact]
    public void ImageAndStrength_WriteTheLibrarysImageToImage()
    {
        string input = _folder.Write("in.png", PngEncoding.Encode(Cells(256, 256), 256, 256, []));
        string output = Out("img2img.png");

        var (exitCode, _, error) = CliRunner.Run(["generate", Circle, "-o", output, .. Reference, "--image", input, "--strength", "0.5"]);

        Assert.True(exitCode == 0, error);
        var settings = Settings("reference", Circle) with { Image = input, Strength = 0.5f };
        Assert.Equal(Expected("reference", settings, input), File.ReadAllBytes(output));
    }

    [Fact]
    public void Mask_WritesTheLibrarysInpainting()
    {
        string input = _folder.Write("in.png", PngEncoding.Encode(Cells(256, 256), 256, 256, []));
        var maskRgb = new byte[256 * 256 * 3];
        for (int p = 0; p < 256 * 128; p++)
        {
            maskRgb[p * 3] = maskRgb[(p * 3) + 1] = maskRgb[(p * 3) + 2] = 255;   // repaint the top half
        }

        string mask = _folder.Write("mask.png", PngEncoding.Encode(maskRgb, 256, 256, []));
        string output = Out("inpaint.png");

        var (exitCode, _, error) = CliRunner.Run(["generate", Circle, "-o", output, .. Reference, "--image", input, "--mask", mask]);

        Assert.True(exitCode == 0, error);
        var settings = Settings("reference", Circle) with { Image = input, Mask = mask };
        Assert.Equal(Expected("reference", settings, input, mask), File.ReadAllBytes(output));
    }

    [Fact]
    public void Preview_IsASmallImageOfTheLatent_InTheFilesFormat()
    {
        string jpeg = Out("preview.jpg"), png = Out("preview.png");

        var (exitCode, _, error) = CliRunner.Run(["generate", Circle, "-o", Out("a.png"), .. Reference, "--preview", jpeg, "--preview-every", "3"]);
        var (pngExit, _, pngError) = CliRunner.Run(["generate", Circle, "-o", Out("b.png"), .. Reference, "--preview", png]);

        Assert.True(exitCode == 0, error);
        Assert.True(pngExit == 0, pngError);
        using var decoded = Image.Load<Rgb24>(jpeg);
        Assert.Equal((32, 32), (decoded.Width, decoded.Height));
        Assert.Equal("JPEG", Image.DetectFormat(File.ReadAllBytes(jpeg)).Name);
        // The last step's preview: LatentPreview of that step's x0 estimate, as the library's progress reports it.
        byte[] last = [];
        using var pipeline = FluxPipeline.Open(BuiltInPackages.EnsureBuilt("reference"), Cpu);
        pipeline.Generate(Settings("reference", Circle), new GenerateOptions { Progress = new Sink(p => last = p.PreviewRgb.IsEmpty ? last : p.PreviewRgb.ToArray()), PreviewInterval = 1 }).Dispose();
        Assert.Equal(PngEncoding.Encode(last, 32, 32, []), File.ReadAllBytes(png));
    }

    [Theory]
    [InlineData("--true-cfg 3", "error: --true-cfg 3 needs a negative prompt (allowed: --true-cfg above 1 with --negative-prompt TEXT (\"\" for the empty prompt))")]
    [InlineData("--true-cfg 21 --negative-prompt x", "error: --true-cfg 21 is out of range (allowed: 1 to 20)")]
    [InlineData("--strength 0.5", "error: --strength 0.5 needs an image to start from (allowed: --strength below 1 with --image FILE)")]
    [InlineData("--strength 1.5", "error: --strength 1.5 is out of range (allowed: 0 to 1)")]
    [InlineData("--image /no/such/image.png", "error: --image '/no/such/image.png' does not exist (allowed: a PNG, JPEG or WebP file)")]
    [InlineData("--mask {in}", "error: --mask needs an image to inpaint (allowed: --mask FILE with --image FILE)")]
    [InlineData("--image {truncated}", "error: --image: ")]
    [InlineData("--preview-every 2", "error: --preview-every needs a preview file (allowed: --preview-every N with --preview FILE)")]
    [InlineData("--preview p.gif", "error: --preview 'p.gif' has no image extension (allowed: .jpg, .jpeg, .png, .webp)")]
    [InlineData("--preview p.jpg --preview-every 0", "error: --preview-every 0 is out of range (allowed: 1 to 1000)")]
    public void InvalidOptions_GiveOneLineNamingTheOption_ExitCode2(string arguments, string message)
    {
        byte[] png = PngEncoding.Encode(Cells(256, 256), 256, 256, []);
        string input = _folder.Write("in.png", png);
        string truncated = _folder.Write("truncated.png", png[..(png.Length / 2)]);
        string[] options = arguments.Replace("{in}", input, StringComparison.Ordinal).Replace("{truncated}", truncated, StringComparison.Ordinal).Split(' ');

        var (exitCode, _, error) = CliRunner.Run(["generate", Circle, "-o", Out("x.png"), .. Reference, .. options]);

        Assert.Equal(2, exitCode);
        Assert.StartsWith(message, error, StringComparison.Ordinal);
    }

    /// <summary>
    /// A run whose image cannot be written keeps its checkpoint; --resume with another strength, image file content or
    /// negative prompt is refused naming the option, and with the same settings it writes the uninterrupted image.
    /// </summary>
    [Fact]
    public void Resume_ComparesTheImageSettingsToo()
    {
        string input = _folder.Write("in.png", PngEncoding.Encode(Cells(256, 256), 256, 256, []));
        string checkpoints = Path.Combine(_folder.Path, "ckpt");
        string blocker = _folder.Write("blocker", "a file where the output folder should be");
        string output = Path.Combine(blocker, "out.png");
        string[] run = ["generate", Circle, "-o", output, .. Reference, "--image", input, "--strength", "0.75", "--negative-prompt", "a white square", "--true-cfg", "2", "--checkpoint-dir", checkpoints];

        Assert.Equal(1, CliRunner.Run(run).ExitCode);   // the state is kept: the output folder cannot be made
        Assert.Single(Directory.GetFiles(checkpoints, "*.fluxckpt"));

        var (strengthExit, _, strengthError) = CliRunner.Run([.. run[..^8], "--strength", "0.5", .. run[^6..], "--resume"]);
        var (cfgExit, _, cfgError) = CliRunner.Run([.. run[..^4], "--true-cfg", "3", .. run[^2..], "--resume"]);
        File.WriteAllBytes(input, PngEncoding.Encode(Cells(256, 256, seed: 2), 256, 256, []));
        var (imageExit, _, imageError) = CliRunner.Run([.. run, "--resume"]);
        File.WriteAllBytes(input, PngEncoding.Encode(Cells(256, 256), 256, 256, []));
        File.Delete(blocker);
        var (resumedExit, _, resumedError) = CliRunner.Run([.. run, "--resume"]);

        Assert.Equal((2, 2, 2), (strengthExit, cfgExit, imageExit));
        Assert.Contains("was written with --strength 0.75, this run has --strength 0.5", strengthError, StringComparison.Ordinal);
        Assert.Contains("was written with --true-cfg 2, this run has --true-cfg 3", cfgError, StringComparison.Ordinal);
        Assert.Contains("was written with --image '", imageError, StringComparison.Ordinal);
        Assert.True(resumedExit == 0, resumedError);
        var settings = Settings("reference", Circle) with { Image = input, Strength = 0.75f, NegativePrompt = "a white square", TrueCfgScale = 2f };
        Assert.Equal(Expected("reference", settings, input), File.ReadAllBytes(output));
        Assert.Empty(Directory.GetFiles(checkpoints, "*.fluxckpt"));
    }

    [Fact]
    public void JsonLinesItems_TakeTheNewFields_AsTheOptionsDo()
    {
        string input = _folder.Write("in.png", PngEncoding.Encode(Cells(256, 256), 256, 256, []));
        string list = _folder.Write("items.jsonl",
            $"{{\"prompt\": \"{Circle}\", \"image\": \"{input}\", \"strength\": 0.5, \"negativePrompt\": \"a white square\", \"trueCfgScale\": 2, \"prompt2\": \"a circle\"}}\n" +
            $"{{\"prompt\": \"{Circle}\", \"image\": \"{input}\", \"mask\": \"{input}\"}}\n");

        var (exitCode, _, error) = CliRunner.Run(["generate", "--prompts", list, "-o", Out("list.png"), .. Reference]);
        var (firstExit, _, _) = CliRunner.Run(["generate", Circle, "-o", Out("one.png"), .. Reference, "--image", input, "--strength", "0.5",
            "--negative-prompt", "a white square", "--true-cfg", "2", "--prompt2", "a circle"]);
        var (secondExit, _, _) = CliRunner.Run(["generate", Circle, "-o", Out("two.png"), .. Reference, "--image", input, "--mask", input]);
        var (badExit, _, badError) = CliRunner.Run(["generate", "--prompts", _folder.Write("bad.jsonl", "{\"prompt\": \"a\", \"strength\": \"high\"}\n"), "-o", Out("bad.png"), .. Reference]);

        Assert.True(exitCode == 0, error);
        Assert.Equal((0, 0), (firstExit, secondExit));
        Assert.Equal(File.ReadAllBytes(Out("one.png")), File.ReadAllBytes(Out("list-0.png")));
        Assert.Equal(File.ReadAllBytes(Out("two.png")), File.ReadAllBytes(Out("list-1.png")));
        Assert.Equal(2, badExit);
        Assert.EndsWith("line 1, strength: expected a number", badError, StringComparison.Ordinal);
    }

    private string Out(string name) => Path.Combine(_folder.Path, name);

    private static GenerationSettings Settings(string model, string prompt)
    {
        using var pipeline = FluxPipeline.Open(BuiltInPackages.EnsureBuilt(model), Cpu);
        var defaults = GenerationSettings.Defaults(pipeline.Package, prompt) with { Steps = model == "reference" ? 4 : 2, Seed = 3 };
        return model == "reference" ? defaults : defaults with { Width = 64, Height = 64 };
    }

    /// <summary>The file the library makes for these settings (image and mask decoded as the CLI decodes them), plus the provider.</summary>
    private static byte[] Expected(string model, GenerationSettings settings, string? image = null, string? mask = null)
    {
        using var pipeline = FluxPipeline.Open(BuiltInPackages.EnsureBuilt(model), Cpu);
        var limits = InputImageLimits.Default;
        using var generated = pipeline.Generate(settings, new GenerateOptions
        {
            Image = image is null ? null : InputImage.Decode(File.ReadAllBytes(image), settings.Width, settings.Height, limits, "image"),
            Mask = mask is null ? null : InputImageMask.Decode(File.ReadAllBytes(mask), settings.Width, settings.Height, limits, "mask"),
        });
        return generated.Encode([new("provider", "CPU")]);
    }

    /// <summary>Flat 8x8 cells of random colours.</summary>
    private static byte[] Cells(int width, int height, int seed = 1)
    {
        var random = new Random(seed);
        var rgb = new byte[width * height * 3];
        for (int cy = 0; cy < height; cy += FluxConstants.VaeScaleFactor)
        {
            for (int cx = 0; cx < width; cx += FluxConstants.VaeScaleFactor)
            {
                byte[] colour = [(byte)random.Next(256), (byte)random.Next(256), (byte)random.Next(256)];
                for (int y = cy; y < cy + FluxConstants.VaeScaleFactor; y++)
                {
                    for (int x = cx; x < cx + FluxConstants.VaeScaleFactor; x++)
                    {
                        colour.CopyTo(rgb, ((y * width) + x) * 3);
                    }
                }
            }
        }

        return rgb;
    }

    private sealed class Sink(Action<DenoiseProgress> report) : IProgress<DenoiseProgress>
    {
        public void Report(DenoiseProgress value) => report(value);
    }
}
