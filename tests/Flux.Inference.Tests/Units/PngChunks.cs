using System.Buffers.Binary;
using System.IO.Compression;
using System.IO.Hashing;
using System.Text;

namespace Flux.Inference.Tests.Units;

/// <summary>
/// An independent reader of PNG files, written from the specification for the tests: the chunk list with each
/// chunk's stored CRC, the text chunks, and the pixels (inflate with System.IO.Compression, then undo the filters).
/// </summary>
internal static class PngChunks
{
    public static readonly byte[] Signature = [137, 80, 78, 71, 13, 10, 26, 10];

    public static List<(string Type, byte[] Data, uint Crc)> Read(byte[] png)
    {
        var chunks = new List<(string, byte[], uint)>();
        for (int offset = Signature.Length; offset < png.Length;)
        {
            int length = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(offset));
            string type = Encoding.ASCII.GetString(png, offset + 4, 4);
            uint crc = BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(offset + 8 + length));
            chunks.Add((type, png.AsSpan(offset + 8, length).ToArray(), crc));
            offset += 12 + length;
        }

        return chunks;
    }

    /// <summary>CRC-32 of the chunk type and data, as the PNG specification (section 5.3) defines it.</summary>
    public static uint ExpectedCrc(string type, byte[] data) => Crc32.HashToUInt32([.. Encoding.ASCII.GetBytes(type), .. data]);

    /// <summary>tEXt (Latin-1) and iTXt (UTF-8 after flag, method, language tag and translated keyword) entries.</summary>
    public static Dictionary<string, string> Text(byte[] png)
    {
        var text = new Dictionary<string, string>();
        foreach (var (type, data, _) in Read(png))
        {
            int keywordEnd = Array.IndexOf(data, (byte)0);
            if (type == "tEXt")
            {
                text.Add(Encoding.Latin1.GetString(data, 0, keywordEnd), Encoding.Latin1.GetString(data, keywordEnd + 1, data.Length - keywordEnd - 1));
            }
            else if (type == "iTXt")
            {
                Assert.Equal(0, data[keywordEnd + 1]);   // uncompressed
                int languageEnd = Array.IndexOf(data, (byte)0, keywordEnd + 3);
                int translatedEnd = Array.IndexOf(data, (byte)0, languageEnd + 1);
                text.Add(Encoding.Latin1.GetString(data, 0, keywordEnd), Encoding.UTF8.GetString(data, translatedEnd + 1, data.Length - translatedEnd - 1));
            }
        }

        return text;
    }

    /// <summary>The filtered scanlines: the IDAT data concatenated and inflated (RFC 1950), its Adler-32 checked here too.</summary>
    public static byte[] Scanlines(byte[] png)
    {
        byte[] zlib = [.. Read(png).Where(c => c.Type == "IDAT").SelectMany(c => c.Data)];
        using var inflate = new ZLibStream(new MemoryStream(zlib), CompressionMode.Decompress);
        using var scanlines = new MemoryStream();
        inflate.CopyTo(scanlines);
        Assert.Equal(BinaryPrimitives.ReadUInt32BigEndian(zlib.AsSpan(zlib.Length - 4)), Adler32.HashToUInt32(scanlines.ToArray()));
        return scanlines.ToArray();
    }

    /// <summary>(H, W, 3) pixels of an 8-bit RGB PNG, undoing filter types 0 to 4 byte by byte (PNG specification, 9.2).</summary>
    public static byte[] Pixels(byte[] png, int width, int height)
    {
        const int Bpp = 3;
        int stride = width * Bpp;
        byte[] scanlines = Scanlines(png);
        Assert.Equal(height * (stride + 1), scanlines.Length);
        byte[] rgb = new byte[height * stride];
        for (int y = 0; y < height; y++)
        {
            byte filter = scanlines[y * (stride + 1)];
            for (int x = 0; x < stride; x++)
            {
                int a = x >= Bpp ? rgb[y * stride + x - Bpp] : 0;
                int b = y > 0 ? rgb[(y - 1) * stride + x] : 0;
                int c = x >= Bpp && y > 0 ? rgb[(y - 1) * stride + x - Bpp] : 0;
                int predictor = filter switch
                {
                    0 => 0,
                    1 => a,
                    2 => b,
                    3 => (a + b) / 2,
                    4 => Paeth(a, b, c),
                    _ => throw new InvalidDataException($"row {y} has filter type {filter}"),
                };
                rgb[y * stride + x] = (byte)(scanlines[y * (stride + 1) + 1 + x] + predictor);
            }
        }

        return rgb;
    }

    private static int Paeth(int a, int b, int c)
    {
        int p = a + b - c;
        int pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }
}
