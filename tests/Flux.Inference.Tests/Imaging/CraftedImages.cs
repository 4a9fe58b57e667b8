using System.Buffers.Binary;
using System.IO.Compression;
using System.IO.Hashing;
using System.Text;
using SkiaSharp;

namespace Flux.Inference.Tests.Imaging;

/// <summary>
/// Builds the image files the input-image tests feed the decoder: honest ones (encoded by Skia, or PNGs
/// written chunk by chunk from the specification so every header field and CRC is under the test's
/// control) and hostile ones made from them.
/// </summary>
internal static class CraftedImages
{
    private static readonly byte[] PngSignature = [137, 80, 78, 71, 13, 10, 26, 10];

    /// <summary>A PNG of the given rows (each already in the colour type's byte layout), filter 0 on every row.</summary>
    public static byte[] Png(int width, int height, byte bitDepth, byte colorType, Func<int, byte[]> row, params (string Type, byte[] Data)[] extraChunksBeforeIdat)
    {
        using var idat = new MemoryStream();
        using (var z = new ZLibStream(idat, CompressionLevel.Fastest, leaveOpen: true))
        {
            for (int y = 0; y < height; y++)
            {
                z.WriteByte(0);
                z.Write(row(y));
            }
        }

        return PngFromChunks([("IHDR", Ihdr(width, height, bitDepth, colorType)), .. extraChunksBeforeIdat, ("IDAT", idat.ToArray()), ("IEND", [])]);
    }

    public static byte[] Ihdr(int width, int height, byte bitDepth, byte colorType)
    {
        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = bitDepth;
        ihdr[9] = colorType;
        return ihdr;
    }

    public static byte[] PngFromChunks(IEnumerable<(string Type, byte[] Data)> chunks)
    {
        using var png = new MemoryStream();
        png.Write(PngSignature);
        Span<byte> length = stackalloc byte[4];
        Span<byte> crc = stackalloc byte[4];
        foreach (var (type, data) in chunks)
        {
            BinaryPrimitives.WriteInt32BigEndian(length, data.Length);
            png.Write(length);
            byte[] typeAndData = [.. Encoding.ASCII.GetBytes(type), .. data];
            png.Write(typeAndData);
            BinaryPrimitives.WriteUInt32BigEndian(crc, Crc32.HashToUInt32(typeAndData));
            png.Write(crc);
        }

        return png.ToArray();
    }

    /// <summary>8-bit RGB rows of <paramref name="pixel"/>(x, y).</summary>
    public static byte[] RgbPng(int width, int height, Func<int, int, (byte R, byte G, byte B)> pixel)
        => Png(width, height, 8, 2, y =>
        {
            var row = new byte[width * 3];
            for (int x = 0; x < width; x++)
            {
                (row[x * 3], row[x * 3 + 1], row[x * 3 + 2]) = pixel(x, y);
            }

            return row;
        });

    /// <summary>A test picture with detail at several scales: gradients, a mid-frequency wave, a bright square.</summary>
    public static (byte R, byte G, byte B) Pattern(int x, int y, int width, int height)
    {
        double wave = 0.5 + 0.5 * Math.Sin(2 * Math.PI * x / 9.0) * Math.Cos(2 * Math.PI * y / 13.0);
        bool square = x > width / 3 && x < width / 2 && y > height / 4 && y < height / 2;
        return ((byte)(255 * x / Math.Max(1, width - 1)), (byte)(255 * wave), square ? (byte)250 : (byte)(255 * y / Math.Max(1, height - 1)));
    }

    /// <summary>Encodes an opaque RGB picture with Skia (JPEG quality 95, WebP lossless, PNG).</summary>
    public static byte[] Encode(int width, int height, Func<int, int, (byte R, byte G, byte B)> pixel, SKEncodedImageFormat format)
    {
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque));
        var span = bitmap.GetPixelSpan();
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                int p = y * bitmap.RowBytes + x * 4;
                (span[p], span[p + 1], span[p + 2]) = pixel(x, y);
                span[p + 3] = 255;
            }
        }

        using var pixmap = bitmap.PeekPixels() ?? throw new InvalidOperationException("bitmap has no pixels");
        using var data = format == SKEncodedImageFormat.Webp
            ? pixmap.Encode(new SKWebpEncoderOptions(SKWebpEncoderCompression.Lossless, 100))
            : pixmap.Encode(format, 95);
        return data?.ToArray() ?? throw new InvalidOperationException($"Skia could not encode {format}");
    }

    /// <summary>
    /// An animated WebP of two copies of a still frame: RIFF "WEBP" with VP8X (animation flag), ANIM and
    /// two ANMF chunks, per Google's WebP container specification.
    /// </summary>
    public static byte[] AnimatedWebP(int width, int height)
    {
        byte[] still = Encode(width, height, (x, y) => Pattern(x, y, width, height), SKEncodedImageFormat.Webp);
        byte[] frameChunk = still[12..]; // the VP8L chunk (header + payload) after "RIFF" size "WEBP"
        var vp8x = new byte[10];
        vp8x[0] = 0x02; // animation
        WriteUInt24(vp8x.AsSpan(4), width - 1);
        WriteUInt24(vp8x.AsSpan(7), height - 1);
        var anim = new byte[6]; // background colour 0, loop count 0
        byte[] Anmf()
        {
            var header = new byte[16];
            WriteUInt24(header.AsSpan(6), width - 1);
            WriteUInt24(header.AsSpan(9), height - 1);
            WriteUInt24(header.AsSpan(12), 100); // duration in ms
            return [.. header, .. frameChunk];
        }

        return Riff([("VP8X", vp8x), ("ANIM", anim), ("ANMF", Anmf()), ("ANMF", Anmf())]);
    }

    public static byte[] Riff(IEnumerable<(string Type, byte[] Data)> chunks)
    {
        using var body = new MemoryStream();
        body.Write("WEBP"u8);
        Span<byte> size = stackalloc byte[4];
        foreach (var (type, data) in chunks)
        {
            body.Write(Encoding.ASCII.GetBytes(type));
            BinaryPrimitives.WriteInt32LittleEndian(size, data.Length);
            body.Write(size);
            body.Write(data);
            if (data.Length % 2 == 1)
            {
                body.WriteByte(0);
            }
        }

        var riff = new byte[8 + body.Length];
        "RIFF"u8.CopyTo(riff);
        BinaryPrimitives.WriteInt32LittleEndian(riff.AsSpan(4), (int)body.Length);
        body.ToArray().CopyTo(riff, 8);
        return riff;
    }

    /// <summary>An APNG: acTL declaring 2 frames, the default image as frame 0 (fcTL + IDAT), frame 1 as fcTL + fdAT.</summary>
    public static byte[] AnimatedPng(int width, int height)
    {
        byte[] still = RgbPng(width, height, (x, y) => Pattern(x, y, width, height));
        byte[] idat = ChunkData(still, "IDAT");
        var actl = new byte[8];
        BinaryPrimitives.WriteInt32BigEndian(actl, 2);
        byte[] Fctl(int sequence)
        {
            var fctl = new byte[26];
            BinaryPrimitives.WriteInt32BigEndian(fctl, sequence);
            BinaryPrimitives.WriteInt32BigEndian(fctl.AsSpan(4), width);
            BinaryPrimitives.WriteInt32BigEndian(fctl.AsSpan(8), height);
            BinaryPrimitives.WriteUInt16BigEndian(fctl.AsSpan(20), 1);
            BinaryPrimitives.WriteUInt16BigEndian(fctl.AsSpan(22), 10);
            return fctl;
        }

        var fdat = new byte[4 + idat.Length];
        BinaryPrimitives.WriteInt32BigEndian(fdat, 2);
        idat.CopyTo(fdat, 4);
        return PngFromChunks([("IHDR", Ihdr(width, height, 8, 2)), ("acTL", actl), ("fcTL", Fctl(0)), ("IDAT", idat), ("fcTL", Fctl(1)), ("fdAT", fdat), ("IEND", [])]);
    }

    /// <summary>The data of the first chunk of that type in a PNG this class wrote.</summary>
    public static byte[] ChunkData(byte[] png, string type)
    {
        for (int at = PngSignature.Length; at < png.Length;)
        {
            int length = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(at));
            if (Encoding.ASCII.GetString(png, at + 4, 4) == type)
            {
                return png.AsSpan(at + 8, length).ToArray();
            }

            at += 12 + length;
        }

        throw new InvalidOperationException($"no {type} chunk");
    }

    /// <summary>Offset of the first JPEG marker of that code (its 0xFF byte).</summary>
    public static int JpegMarker(byte[] jpeg, byte code)
    {
        for (int at = 2; at + 4 <= jpeg.Length;)
        {
            if (jpeg[at + 1] == code)
            {
                return at;
            }

            at += 2 + BinaryPrimitives.ReadUInt16BigEndian(jpeg.AsSpan(at + 2));
        }

        throw new InvalidOperationException($"no marker FF{code:X2}");
    }

    /// <summary>The JPEG with an APP1 Exif segment (big-endian TIFF, one IFD entry: Orientation) inserted after SOI.</summary>
    public static byte[] WithExifOrientation(byte[] jpeg, ushort orientation)
    {
        byte[] tiff =
        [
            (byte)'M', (byte)'M', 0, 42, 0, 0, 0, 8, // header, IFD0 at 8
            0, 1,                                     // one entry
            0x01, 0x12, 0, 3, 0, 0, 0, 1, (byte)(orientation >> 8), (byte)orientation, 0, 0, // Orientation, SHORT, 1
            0, 0, 0, 0,                               // no next IFD
        ];
        byte[] payload = [.. "Exif\0\0"u8, .. tiff];
        var app1 = new byte[4 + payload.Length];
        app1[0] = 0xFF;
        app1[1] = 0xE1;
        BinaryPrimitives.WriteUInt16BigEndian(app1.AsSpan(2), (ushort)(2 + payload.Length));
        payload.CopyTo(app1, 4);
        return [.. jpeg[..2], .. app1, .. jpeg[2..]];
    }

    private static void WriteUInt24(Span<byte> at, int value)
    {
        at[0] = (byte)value;
        at[1] = (byte)(value >> 8);
        at[2] = (byte)(value >> 16);
    }
}
