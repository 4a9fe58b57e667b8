using System.Text.Json;
using Flux.Inference;
using Flux.Inference.Imaging;
using Flux.Inference.Sessions;
using Flux.ModelBuilder;
using Flux.Tests.Shared;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Metadata.Profiles.Exif;
using SixLabors.ImageSharp.PixelFormats;

namespace Flux.Cli.Tests;

/// <summary>PNG, JPEG and WebP output: the library's one entry point and the CLI's choice of format from -o and --format.</summary>
public sealed class ImageFormatTests : IClassFixture<ImageFormatTests.ReferenceImage>
{
    private const string Prompt = "a red circle on a blue background";

    /// <summary>Least PSNR against the lossless PNG's pixels at the default quality (90); measured 39.7 dB (JPEG) and 38.9 dB (WebP) on this image.</summary>
    private const double MinPsnrAtDefaultQuality = 35;

    private readonly ReferenceImage _image;

    public ImageFormatTests(ReferenceImage image) => _image = image;

    [Theory]
    [InlineData(ImageFormat.Jpeg)]
    [InlineData(ImageFormat.Webp)]
    public void LossyFormats_DecodeToTheSizeAndCloseToThePng_AndQualityTradesBytesForFidelity(ImageFormat format)
    {
        byte[] high = ImageEncoding.Encode(_image.Rgb, _image.Width, _image.Height, _image.Parameters, format);
        byte[] low = ImageEncoding.Encode(_image.Rgb, _image.Width, _image.Height, _image.Parameters, format, quality: 10);

        using var decoded = Image.Load<Rgb24>(high);
        Assert.Equal((_image.Width, _image.Height), (decoded.Width, decoded.Height));
        Assert.Equal(format == ImageFormat.Jpeg ? "JPEG" : "Webp", Image.DetectFormat(high).Name);
        double psnr = Psnr(_image.Rgb, decoded);
        Assert.True(psnr >= MinPsnrAtDefaultQuality, $"{format} at quality 90: PSNR {psnr:0.0} dB < {MinPsnrAtDefaultQuality} dB");
        using var rough = Image.Load<Rgb24>(low);
        Assert.True(Psnr(_image.Rgb, rough) < psnr - 3, $"{format}: quality 10 is not visibly worse than 90");
        Assert.True(low.Length < high.Length, $"{format}: quality 10 ({low.Length} bytes) is not smaller than 90 ({high.Length} bytes)");
    }

    [Theory]
    [InlineData(ImageFormat.Jpeg)]
    [InlineData(ImageFormat.Webp)]
    public void LossyFormats_CarryTheParametersInExifAndXmpUserComments(ImageFormat format)
    {
        byte[] file = ImageEncoding.Encode(_image.Rgb, _image.Width, _image.Height, _image.Parameters, format);

        using var decoded = Image.Load<Rgb24>(file);
        var exif = decoded.Metadata.ExifProfile?.GetValue(ExifTag.UserComment);
        Assert.NotNull(exif);
        Assert.Equal(_image.Parameters.ToDictionary(), JsonSerializer.Deserialize<Dictionary<string, string>>(exif.Value.Text));
        var xmp = decoded.Metadata.XmpProfile?.GetDocument();
        Assert.NotNull(xmp);
        var comment = xmp.Descendants().Single(e => e.Name.LocalName == "UserComment" && e.Name.NamespaceName == "http://ns.adobe.com/exif/1.0/");
        Assert.Equal(_image.Parameters.ToDictionary(), JsonSerializer.Deserialize<Dictionary<string, string>>(comment.Value));
    }

    [Fact]
    public void Png_IsThePngEncodersBytes_AndTakesNoQuality()
    {
        Assert.Equal(PngEncoding.Encode(_image.Rgb, _image.Width, _image.Height, _image.Parameters),
            ImageEncoding.Encode(_image.Rgb, _image.Width, _image.Height, _image.Parameters, ImageFormat.Png));
        Assert.Throws<ArgumentOutOfRangeException>(() => ImageEncoding.Encode(_image.Rgb, _image.Width, _image.Height, _image.Parameters, ImageFormat.Png, 80));
        Assert.Throws<ArgumentOutOfRangeException>(() => ImageEncoding.Encode(_image.Rgb, _image.Width, _image.Height, _image.Parameters, ImageFormat.Jpeg, 101));
    }

    [Theory]
    [InlineData("out.jpg", new string[0], "JPEG")]
    [InlineData("out.JPEG", new string[0], "JPEG")]
    [InlineData("out.webp", new[] { "--quality", "75" }, "Webp")]
    [InlineData("out.png", new[] { "--format", "png" }, "PNG")]
    [InlineData("out", new[] { "--format", "webp" }, "Webp")]
    public void Cli_WritesTheFormatTheExtensionOrFormatOptionSays_WithProviderInTheMetadata(string name, string[] options, string expectedFormat)
    {
        using var folder = new TemporaryFolder();
        string output = Path.Combine(folder.Path, name);

        var (exitCode, _, error) = CliRunner.Run(["generate", Prompt, "--provider", "cpu", "-o", output, .. options]);

        Assert.True(exitCode == 0, error);
        byte[] file = File.ReadAllBytes(output);
        Assert.Equal(expectedFormat, Image.DetectFormat(file).Name);
        using var decoded = Image.Load<Rgb24>(file);
        Assert.Equal((_image.Width, _image.Height), (decoded.Width, decoded.Height));
        if (expectedFormat != "PNG")
        {
            var parameters = JsonSerializer.Deserialize<Dictionary<string, string>>(decoded.Metadata.ExifProfile!.GetValue(ExifTag.UserComment)!.Value.Text)!;
            Assert.Equal((Prompt, "CPU"), (parameters["prompt"], parameters["provider"]));
        }
    }

    [Theory]
    [InlineData("-o x.jpg --format png", "error: --format png does not match -o 'x.jpg', a jpeg file name (allowed: a -o name ending in .png for --format png)")]
    [InlineData("-o x.png --format webp", "error: --format webp does not match -o 'x.png', a png file name (allowed: a -o name ending in .webp for --format webp)")]
    [InlineData("-o x.gif", "error: -o 'x.gif' has no image extension (allowed: .png, .jpg, .jpeg, .webp (or give --format))")]
    [InlineData("-o x.png --format gif", "error: --format 'gif' is not an image format (allowed: png, jpeg, webp)")]
    [InlineData("-o x.png --quality 80", "error: --quality applies to jpeg and webp only (allowed: --quality with --format jpeg or webp (png is lossless))")]
    [InlineData("-o x.jpg --quality 0", "error: --quality 0 is out of range (allowed: 1 to 100)")]
    [InlineData("-o x.webp --quality 101", "error: --quality 101 is out of range (allowed: 1 to 100)")]
    public void Cli_FormatMistakes_AreUsageErrors_AndWriteNothing(string arguments, string message)
    {
        using var folder = new TemporaryFolder();
        string[] options = [.. arguments.Split(' ').Select(a => a.StartsWith("x.", StringComparison.Ordinal) ? Path.Combine(folder.Path, a) : a)];

        var (exitCode, _, error) = CliRunner.Run(["generate", Prompt, "--provider", "cpu", .. options]);

        Assert.Equal(2, exitCode);
        Assert.Equal(message.Replace("'x.", $"'{folder.Path}/x.", StringComparison.Ordinal), error);
        Assert.Empty(Directory.GetFiles(folder.Path));
    }

    private static double Psnr(byte[] reference, Image<Rgb24> decoded)
    {
        double squared = 0;
        int i = 0;
        decoded.ProcessPixelRows(rows =>
        {
            for (int y = 0; y < rows.Height; y++)
            {
                foreach (var pixel in rows.GetRowSpan(y))
                {
                    squared += Square(pixel.R - reference[i++]) + Square(pixel.G - reference[i++]) + Square(pixel.B - reference[i++]);
                }
            }
        });
        return 10 * Math.Log10(255.0 * 255.0 / (squared / reference.Length));
    }

    private static double Square(int difference) => difference * (double)difference;

    /// <summary>One reference-package image (flat shapes and a sharp edge), generated once for the class.</summary>
    public sealed class ReferenceImage
    {
        public ReferenceImage()
        {
            using var pipeline = FluxPipeline.Open(BuiltInPackages.EnsureBuilt("reference"), new InferenceOptions { ExecutionProvider = ExecutionProviderKind.Cpu });
            var settings = GenerationSettings.Defaults(pipeline.Package, Prompt);
            using var image = pipeline.Generate(settings);
            (Rgb, Width, Height) = ([.. image.Rgb], settings.Width, settings.Height);
            Parameters = [.. settings.PngText(pipeline.Package.Name), new("provider", "CPU")];
        }

        public byte[] Rgb { get; }

        public int Width { get; }

        public int Height { get; }

        public IReadOnlyList<KeyValuePair<string, string>> Parameters { get; }
    }
}
