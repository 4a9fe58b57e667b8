using Flux.Inference.Imaging;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Flux.Inference.Tests.Units;

/// <summary>Every pixel the encoder writes is read back, by ImageSharp's decoder and by the tests' own inflate-and-unfilter.</summary>
public class PngPixelRoundTripTests
{
    public static TheoryData<string, int, int, byte, int> Cases()
    {
        var cases = new TheoryData<string, int, int, byte, int>();
        foreach (var (width, height) in new[] { (1, 1), (3, 5), (17, 1031), (1031, 17), (64, 48) })
        {
            foreach (string kind in new[] { "random", "flat", "gradient" })
            {
                foreach (var filter in Enum.GetValues<PngFilterType>())
                {
                    cases.Add(kind, width, height, (byte)filter, 1);
                    cases.Add(kind, width, height, (byte)filter, 3);   // several bands even on small images: the multi-band path
                }
            }
        }

        return cases;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Encode_PixelsDecodeIdentically_WithImageSharpAndWithAnIndependentInflate(string kind, int width, int height, byte filter, int bands)
    {
        byte[] rgb = TestImages.Create(kind, width, height);
        byte[] png = PngEncoding.Encode(rgb, width, height, [new("prompt", "p")], (PngFilterType)filter, bands);

        Assert.Equal(rgb, PngChunks.Pixels(png, width, height));
        Assert.Equal(rgb, DecodeWithImageSharp(png, width, height));
    }

    [Fact]
    public void Encode_ImageOfAMegabyte_UsesSeveralBands_AndDecodesIdentically()
    {
        const int Side = 600;
        Assert.True(ZlibBands.BandCount(Side * (Side * 3 + 1)) > 1);
        byte[] rgb = TestImages.Create("random", Side, Side);
        byte[] png = PngEncoding.Encode(rgb, Side, Side, []);

        Assert.Equal(rgb, PngChunks.Pixels(png, Side, Side));
        Assert.Equal(rgb, DecodeWithImageSharp(png, Side, Side));
    }

    [Fact]
    public void Encode_BandCount_DependsOnTheImageSizeOnly()
    {
        Assert.Equal(1, ZlibBands.BandCount(ZlibBands.BandBytes - 1));
        Assert.Equal(2, ZlibBands.BandCount(256 * (256 * 3 + 1)));
        Assert.Equal(8, ZlibBands.BandCount(512 * (512 * 3 + 1)));
        Assert.Equal(ZlibBands.MaxBands, ZlibBands.BandCount(4096 * (4096 * 3 + 1)));

        byte[] rgb = TestImages.Create("gradient", 512, 512);
        Assert.Equal(
            PngEncoding.Encode(rgb, 512, 512, [], PngEncoding.DefaultFilter, ZlibBands.BandCount(512 * (512 * 3 + 1))),
            PngEncoding.Encode(rgb, 512, 512, []));
    }

    [Fact]
    public void Encode_BandsCompressEachSliceIndependently_SoTheBytesDifferButNotThePixels()
    {
        byte[] rgb = TestImages.Create("gradient", 200, 100);
        byte[] one = PngEncoding.Encode(rgb, 200, 100, [], PngFilterType.Sub, 1);
        byte[] four = PngEncoding.Encode(rgb, 200, 100, [], PngFilterType.Sub, 4);

        Assert.NotEqual(one, four);
        Assert.Equal(PngChunks.Pixels(one, 200, 100), PngChunks.Pixels(four, 200, 100));
    }

    private static byte[] DecodeWithImageSharp(byte[] png, int width, int height)
    {
        using var image = Image.Load<Rgb24>(png);
        Assert.Equal((width, height), (image.Width, image.Height));
        byte[] rgb = new byte[width * height * 3];
        image.CopyPixelDataTo(rgb);
        return rgb;
    }
}

/// <summary>Noise-like (what an untrained tiny model gives), flat, and smooth test images as (H, W, 3) bytes.</summary>
internal static class TestImages
{
    public static byte[] Create(string kind, int width, int height)
    {
        byte[] rgb = new byte[width * height * 3];
        switch (kind)
        {
            case "random":
                new Random(width * 7919 + height).NextBytes(rgb);
                break;
            case "flat":
                for (int i = 0; i < rgb.Length; i += 3)
                {
                    (rgb[i], rgb[i + 1], rgb[i + 2]) = ((byte)200, (byte)30, (byte)90);
                }

                break;
            case "gradient":
                for (int y = 0; y < height; y++)
                {
                    for (int x = 0; x < width; x++)
                    {
                        int i = (y * width + x) * 3;
                        (rgb[i], rgb[i + 1], rgb[i + 2]) = ((byte)(x * 255 / width), (byte)(y * 255 / height), (byte)((x + y) / 2));
                    }
                }

                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, "random, flat or gradient");
        }

        return rgb;
    }
}
