using System.Buffers.Binary;
using Flux.Inference.Imaging;
using SkiaSharp;

namespace Flux.Inference.Tests.Imaging;

/// <summary>
/// Crafted hostile files: each is refused with an <see cref="InputImageException"/> naming the field, and
/// the whole set is refused without the process's memory growing by what the files declare.
/// </summary>
[Collection(MemoryMeasurementCollection.Name)]
public sealed class HostileImageTests
{
    private const string Field = "items[3].image";

    /// <summary>Small limits keep the cases fast; the bomb and the lies are far over any limit.</summary>
    private static readonly InputImageLimits Limits = new(MaxBytes: 4 * 1024 * 1024, MaxPixels: 4096L * 4096);

    /// <summary>
    /// Peak resident growth allowed while the whole hostile set is refused: measured 4.1 MiB when this test
    /// runs alone (first use of Skia included); the bomb alone would take 1.6 GB decoded (RGBA) without the limit.
    /// </summary>
    private const long MemoryBoundBytes = 16L * 1024 * 1024;

    public static TheoryData<string> CaseNames => [.. Cases.Value.Keys];

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void HostileFile_IsRefusedNamingTheField(string name)
    {
        var (bytes, expected) = Cases.Value[name];

        var error = Assert.Throws<InputImageException>(() => InputImage.Decode(bytes, 64, 64, Limits, Field));

        Assert.Equal(Field, error.Field);
        Assert.Contains(expected, error.Reason, StringComparison.Ordinal);
        Assert.StartsWith(Field + ": ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Mask_RefusesHostileFilesTheSameWay()
    {
        var error = Assert.Throws<InputImageException>(() => InputImageMask.Decode(Cases.Value["zlib bomb 20000x20000"].Bytes, 64, 64, Limits, "items[0].mask"));

        Assert.Equal("items[0].mask", error.Field);
    }

    [Fact]
    public void HostileSet_IsRefusedWithBoundedPeakMemory()
    {
        var files = Cases.Value.Values.Select(c => c.Bytes).ToList();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        long baseline = PeakMemory.ResetAndReadResident();

        int refused = 0;
        foreach (var bytes in files)
        {
            try
            {
                InputImage.Decode(bytes, 64, 64, Limits, Field);
            }
            catch (InputImageException)
            {
                refused++;
            }
        }

        long peakGrowth = PeakMemory.ReadPeak() - baseline;
        Assert.True(peakGrowth < MemoryBoundBytes, $"peak resident memory grew {peakGrowth / 1024} KiB refusing {files.Count} hostile files (bound {MemoryBoundBytes / (1024 * 1024)} MiB)");
        Assert.Equal(files.Count, refused);
    }

    [Fact]
    public void OverByteLimit_IsRefusedBeforeReadingTheHeader()
    {
        byte[] png = CraftedImages.RgbPng(64, 64, (x, y) => CraftedImages.Pattern(x, y, 64, 64));

        var error = Assert.Throws<InputImageException>(() => InputImage.Decode(png, 64, 64, new InputImageLimits(MaxBytes: png.Length - 1), Field));

        Assert.Contains($"is {png.Length} bytes, over the limit of {png.Length - 1} bytes", error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void PixelLimit_IsInclusive()
    {
        byte[] png = CraftedImages.RgbPng(64, 64, (x, y) => CraftedImages.Pattern(x, y, 64, 64));

        Assert.Equal(64, InputImage.Decode(png, 64, 64, new InputImageLimits(MaxPixels: 64 * 64), Field).Width);
        var error = Assert.Throws<InputImageException>(() => InputImage.Decode(png, 64, 64, new InputImageLimits(MaxPixels: 64 * 64 - 1), Field));
        Assert.Contains("64x64 = 4096 pixels, over the limit of 4095 pixels", error.Reason, StringComparison.Ordinal);
    }

    /// <summary>Each hostile file and a phrase its refusal must contain.</summary>
    private static readonly Lazy<Dictionary<string, (byte[] Bytes, string Reason)>> Cases = new(Build);

    private static Dictionary<string, (byte[] Bytes, string Reason)> Build()
    {
        byte[] png = CraftedImages.RgbPng(64, 64, (x, y) => CraftedImages.Pattern(x, y, 64, 64));
        byte[] jpeg = CraftedImages.Encode(64, 64, (x, y) => CraftedImages.Pattern(x, y, 64, 64), SKEncodedImageFormat.Jpeg);
        byte[] webp = CraftedImages.Encode(64, 64, (x, y) => CraftedImages.Pattern(x, y, 64, 64), SKEncodedImageFormat.Webp);
        var random = new Random(13);
        byte[] noise = new byte[4096];
        random.NextBytes(noise);
        noise[0] = 0x42; // not by chance a magic number

        return new(StringComparer.Ordinal)
        {
            ["empty"] = ([], "is empty"),
            ["random bytes"] = (noise, "is not a PNG, JPEG or WebP image (it starts with bytes 42"),
            ["GIF"] = ([.. "GIF89a"u8, 1, 0, 1, 0, 0, 0, 0, .. new byte[32]], "is a GIF image"),
            ["BMP"] = ([.. "BM"u8, .. new byte[60]], "is a BMP image"),
            ["TIFF"] = ([.. "II*\0"u8, 8, 0, 0, 0, .. new byte[32]], "is a TIFF image"),
            ["SVG"] = ("<?xml version=\"1.0\"?><svg xmlns=\"http://www.w3.org/2000/svg\" width=\"9e9\"/>"u8.ToArray(), "is a SVG image"),
            ["PNG IHDR claims 100000x100000"] = (CraftedImages.PngFromChunks([("IHDR", CraftedImages.Ihdr(100_000, 100_000, 8, 2)), ("IDAT", CraftedImages.ChunkData(png, "IDAT")), ("IEND", [])]), "declares 100000x100000 = 10000000000 pixels, over the limit"),
            ["zlib bomb 20000x20000"] = (ZlibBomb(), "declares 20000x20000 = 400000000 pixels, over the limit"),
            ["PNG 0x0"] = (CraftedImages.PngFromChunks([("IHDR", CraftedImages.Ihdr(0, 0, 8, 2)), ("IEND", [])]), "PNG"),
            ["PNG truncated in IDAT"] = (png[..(png.Length * 2 / 3)], "cannot be decoded as PNG"),
            ["PNG truncated in IHDR"] = (png[..20], "cannot be read as PNG"),
            ["PNG bad IDAT CRC"] = (WithBadIdatCrc(png), "PNG"),
            ["PNG signature on JPEG data"] = ([.. png[..8], .. jpeg[2..]], "cannot be read as PNG"),
            ["JPEG truncated"] = (jpeg[..(jpeg.Length / 2)], "cannot be decoded as JPEG: the file is truncated"),
            ["JPEG SOF claims 60000x60000"] = (WithJpegSize(jpeg, 60000, 60000), "declares 60000x60000 = 3600000000 pixels"),
            ["JPEG CMYK"] = (CmykJpegHeader(), "is a CMYK (or YCCK) JPEG"),
            ["JPEG SOI only"] = ([0xFF, 0xD8, 0xFF, 0xD9], "cannot be read as JPEG"),
            ["WebP truncated"] = (webp[..(webp.Length / 2)], "WebP"),
            ["WebP animated"] = (CraftedImages.AnimatedWebP(32, 32), "is animated (2 frames)"),
            ["PNG animated (APNG)"] = (CraftedImages.AnimatedPng(32, 32), "is animated (2 frames, APNG)"),
            ["WebP VP8X canvas 16777216x16777216"] = (HugeWebPCanvas(webp), "WebP"),
            ["AVIF"] = ([0, 0, 0, 0x1C, .. "ftypavif"u8, .. new byte[20]], "is a AVIF image"),
        };
    }

    /// <summary>A valid 20000x20000 greyscale PNG of zeros: 400 MB of pixels in well under 1 MB.</summary>
    private static byte[] ZlibBomb()
    {
        var zeros = new byte[20_000];
        return CraftedImages.Png(20_000, 20_000, 8, 0, _ => zeros);
    }

    private static byte[] WithBadIdatCrc(byte[] png)
    {
        byte[] copy = [.. png];
        byte[] idat = CraftedImages.ChunkData(png, "IDAT");
        int crcAt = png.AsSpan().IndexOf("IDAT"u8) + 4 + idat.Length;
        copy[crcAt] ^= 0x5A;
        return copy;
    }

    private static byte[] WithJpegSize(byte[] jpeg, ushort width, ushort height)
    {
        byte[] copy = [.. jpeg];
        int sof = CraftedImages.JpegMarker(copy, 0xC0);
        BinaryPrimitives.WriteUInt16BigEndian(copy.AsSpan(sof + 5), height);
        BinaryPrimitives.WriteUInt16BigEndian(copy.AsSpan(sof + 7), width);
        return copy;
    }

    /// <summary>SOI, an Adobe APP14 (transform 2: YCCK) and a baseline frame header with 4 components.</summary>
    private static byte[] CmykJpegHeader()
    {
        byte[] app14 = [0xFF, 0xEE, 0, 14, .. "Adobe"u8, 0, 100, 0, 0, 0, 0, 2];
        byte[] sof0 = [0xFF, 0xC0, 0, 20, 8, 0, 64, 0, 64, 4, 1, 0x11, 0, 2, 0x11, 1, 3, 0x11, 1, 4, 0x11, 0];
        return [0xFF, 0xD8, .. app14, .. sof0, 0xFF, 0xD9];
    }

    /// <summary>A still WebP whose VP8X header declares the largest canvas the format allows.</summary>
    private static byte[] HugeWebPCanvas(byte[] still)
    {
        var vp8x = new byte[10];
        vp8x.AsSpan(4, 6).Fill(0xFF);
        return CraftedImages.Riff([("VP8X", vp8x), ("VP8L", still[20..])]);
    }
}
