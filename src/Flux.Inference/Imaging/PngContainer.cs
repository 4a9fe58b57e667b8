using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;

namespace Flux.Inference.Imaging;

/// <summary>Frames a PNG file (PNG specification, section 5): signature, then chunks of length, type, data and CRC-32.</summary>
internal static class PngContainer
{
    private static ReadOnlySpan<byte> Signature => [137, 80, 78, 71, 13, 10, 26, 10];

    /// <summary>Length, type and CRC around each chunk's data.</summary>
    private const int ChunkFramingLength = 12;
    private const int HeaderDataLength = 13;
    private const byte BitDepth = 8;
    private const byte ColorTypeRgb = 2;
    private const byte CompressionDeflate = 0;
    private const byte FilterMethodAdaptive = 0;
    private const byte InterlaceNone = 0;

    /// <summary>IHDR, the text chunks, one IDAT holding the zlib segments in order, IEND.</summary>
    public static byte[] Write(int width, int height, IReadOnlyList<PngChunk> text, IReadOnlyList<ReadOnlyMemory<byte>> idat)
    {
        long idatLength = idat.Sum(s => (long)s.Length);
        long total = Signature.Length + ChunkFramingLength + HeaderDataLength
            + text.Sum(c => (long)ChunkFramingLength + c.Data.Length)
            + ChunkFramingLength + idatLength
            + ChunkFramingLength;
        if (total > Array.MaxLength)
        {
            throw new ArgumentException($"a {width}x{height} PNG of {total} bytes is too large for one array", nameof(idat));
        }

        byte[] png = new byte[total];
        var writer = new ChunkWriter(png);
        writer.Append(Signature);

        writer.Begin("IHDR", HeaderDataLength);
        Span<byte> header = stackalloc byte[HeaderDataLength];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header[4..], height);
        header[8] = BitDepth;
        header[9] = ColorTypeRgb;
        header[10] = CompressionDeflate;
        header[11] = FilterMethodAdaptive;
        header[12] = InterlaceNone;
        writer.Append(header);
        writer.End();

        foreach (var chunk in text)
        {
            writer.Begin(chunk.Type, chunk.Data.Length);
            writer.Append(chunk.Data);
            writer.End();
        }

        writer.Begin("IDAT", (int)idatLength);
        foreach (var segment in idat)
        {
            writer.Append(segment.Span);
        }

        writer.End();
        writer.Begin("IEND", 0);
        writer.End();
        return png;
    }

    /// <summary>Writes chunks into a buffer sized in advance; the CRC covers the type and data, which sit side by side.</summary>
    private ref struct ChunkWriter(Span<byte> buffer)
    {
        private readonly Span<byte> buffer = buffer;
        private int offset;
        private int chunkStart;

        public void Begin(string type, int length)
        {
            BinaryPrimitives.WriteInt32BigEndian(buffer[offset..], length);
            chunkStart = offset + 4;
            offset += 4 + Encoding.ASCII.GetBytes(type, buffer[chunkStart..]);
        }

        public void Append(scoped ReadOnlySpan<byte> data)
        {
            data.CopyTo(buffer[offset..]);
            offset += data.Length;
        }

        public void End()
        {
            uint crc = Crc32.HashToUInt32(buffer[chunkStart..offset]);
            BinaryPrimitives.WriteUInt32BigEndian(buffer[offset..], crc);
            offset += 4;
        }
    }
}
