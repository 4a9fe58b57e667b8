using System.Text.Json;
using Flux.Inference.Imaging;
using Flux.Inference.Tests.Units;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Metadata.Profiles.Exif;
using SixLabors.ImageSharp.PixelFormats;

namespace Flux.Inference.Tests.Pipeline;

/// <summary>GeneratedImage.Encoded and Encode: the settings' format and quality, the settings' metadata plus the caller's.</summary>
[Collection(BuiltPackagesCollection.Name)]
public class GeneratedImageEncodingTests(BuiltPackages packages)
{
    private GenerationSettings Settings => GenerationSettings.Defaults(packages.Reference.Package, "a white square on a blue background") with { Steps = 2 };

    [Fact]
    public void Png_IsThePngBytes_AndExtraMetadataFollowsTheSettings()
    {
        using var image = packages.Reference.Generate(Settings with { NegativePrompt = "a red circle", TrueCfgScale = 2f });

        Assert.Same(image.Png, image.Encoded);
        var text = PngChunks.Text(image.Encode([new("provider", "CPU")]));
        Assert.Equal("CPU", text["provider"]);
        Assert.Equal("a red circle", text["negative-prompt"]);
        Assert.Equal("2", text["true-cfg-scale"]);
    }

    [Theory]
    [InlineData("jpeg", "JPEG")]
    [InlineData("webp", "Webp")]
    public void LossyFormat_IsEncodedAtTheSettingsQuality_WithTheParametersInExif(string format, string detected)
    {
        using var high = packages.Reference.Generate(Settings with { Format = format, Quality = 95 });
        using var low = packages.Reference.Generate(Settings with { Format = format, Quality = 5 });

        byte[] file = high.Encoded;
        Assert.Equal(detected, Image.DetectFormat(file).Name);
        using var decoded = Image.Load<Rgb24>(file);
        Assert.Equal((256, 256), (decoded.Width, decoded.Height));
        var comment = decoded.Metadata.ExifProfile?.GetValue(ExifTag.UserComment);
        Assert.NotNull(comment);
        Assert.Equal(high.Settings.Prompt, JsonSerializer.Deserialize<Dictionary<string, string>>(comment.Value.Text)!["prompt"]);
        Assert.True(low.Encoded.Length < file.Length, $"quality 5 ({low.Encoded.Length} bytes) is not smaller than 95 ({file.Length} bytes)");
    }

    [Fact]
    public void Save_RefusesAFileNameOfAnotherFormat()
    {
        using var image = packages.Reference.Generate(Settings with { Format = "jpeg" });
        string folder = Directory.CreateTempSubdirectory("flux-save-").FullName;

        var error = Assert.Throws<ArgumentException>(() => image.Save(Path.Combine(folder, "out.png")));
        image.Save(Path.Combine(folder, "out.jpg"));

        Assert.Contains("is a png file name but the settings ask for jpeg", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(folder, "out.png")));
        Assert.Equal(image.Encoded, File.ReadAllBytes(Path.Combine(folder, "out.jpg")));
        Directory.Delete(folder, recursive: true);
    }
}
