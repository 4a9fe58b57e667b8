using System.Buffers;
using System.Buffers.Binary;
using System.IO.Compression;
using System.IO.Hashing;

namespace Flux.Inference.Imaging;

/// <summary>
/// A zlib stream (RFC 1950: header, deflate data, Adler-32) whose deflate data (RFC 1951) is compressed in bands on
/// parallel threads: every band but the last is a raw deflate stream cut at a sync flush (an empty stored block that
/// ends byte-aligned, BFINAL = 0), the last one ends with the final block. Each band starts with an empty dictionary,
/// so no match reaches back into the band before it; the concatenation inflates as one stream.
/// </summary>
internal static class ZlibBands
{
    /// <summary>
    /// Run-length matching only (zlib's Z_RLE: matches at distance 1, dynamic Huffman codes). On Up-filtered scanlines
    /// of smooth and of noise-like 1024x1024 images it writes files 44 % and 19 % smaller than the default strategy at
    /// level 1 (zlib-ng's static-code "quick" deflate) in less time, and no larger than levels 2 to 6, which take two
    /// to four times as long; only flat shapes compress better at level 2 (21 KB instead of 43 KB), small either way
    /// (docs/benchmarks.md, "PNG encoding"). Matches never reach back more than one byte, so bands cost next to nothing.
    /// </summary>
    internal const ZLibCompressionStrategy Strategy = ZLibCompressionStrategy.RunLengthEncoding;

    /// <summary>
    /// zlib-ng level 1 (= CompressionLevel.Fastest; Optimal is 6, SmallestSize 9). With <see cref="Strategy"/> zlib-ng
    /// writes the same deflate data at every level; the level is named so the choice is explicit.
    /// </summary>
    internal const int CompressionLevel = 1;

    /// <summary>Bytes per band; inputs smaller than two bands are compressed in one piece (a thread hop would cost more than it saves).</summary>
    internal const int BandBytes = 96 * 1024;

    /// <summary>
    /// Bands of a large image: 8 divides evenly over 1, 2, 4 or 8 cores. Measured on 2 cores, tiny-model output
    /// (`png` harness, band sweep, fastest of 11): 512x512 1 / 2 / 3 / 4 / 8 / 16 bands 3.6 / 2.0 / 2.5 / 2.0 / 1.9 /
    /// 2.0 ms, 1024x1024 14.7 / 7.9 / 9.5 / 7.7 / 7.7 / 9.3 ms; an odd count leaves a core idle for a band.
    /// </summary>
    internal const int MaxBands = 8;

    /// <summary>Deflate method 8 with a 32 KiB window (RFC 1950 CMF).</summary>
    private const byte DeflateWith32KiBWindow = 0x78;

    /// <summary>FLEVEL 0 = "compressor used fastest algorithm" (RFC 1950 FLG bits 6-7).</summary>
    private const byte FastestLevelFlag = 0 << 6;

    private const int Adler32Length = 4;

    /// <summary>The number of bands for this many bytes: a function of the length only, so output is the same on every machine.</summary>
    public static int BandCount(int length) => Math.Clamp(length / BandBytes, 1, MaxBands);

    /// <summary>
    /// Compresses data as a zlib stream split into (header, band 1..n, Adler-32) segments, to be written in order.
    /// The bands are deflated into pooled buffers, returned when the result is disposed.
    /// </summary>
    public static CompressedBands Compress(ReadOnlyMemory<byte> data, int bands)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(bands);
        var result = new CompressedBands(bands);
        result.Segments[0] = Header();
        try
        {
            uint adler = 0;
            if (bands == 1)
            {
                result.Segments[1] = Deflate(data, isLast: true, result.Buffers, 0);
                adler = Adler32.HashToUInt32(data.Span);
            }
            else
            {
                // Band b covers bytes [b * n / bands, (b + 1) * n / bands); the extra work item is the Adler-32 of all of them.
                Parallel.For(0, bands + 1, b =>
                {
                    if (b == bands)
                    {
                        adler = Adler32.HashToUInt32(data.Span);
                        return;
                    }

                    int start = (int)((long)b * data.Length / bands);
                    int end = (int)((long)(b + 1) * data.Length / bands);
                    result.Segments[b + 1] = Deflate(data[start..end], isLast: b == bands - 1, result.Buffers, b);
                });
            }

            byte[] trailer = new byte[Adler32Length];
            BinaryPrimitives.WriteUInt32BigEndian(trailer, adler);
            result.Segments[^1] = trailer;
            return result;
        }
        catch
        {
            result.Dispose();
            throw;
        }
    }

    /// <summary>CMF, FLG with FCHECK chosen so that CMF * 256 + FLG is a multiple of 31 (RFC 1950, section 2.2).</summary>
    private static byte[] Header()
    {
        int flag = FastestLevelFlag;
        flag += 31 - (((DeflateWith32KiBWindow << 8) | flag) % 31);
        return [DeflateWith32KiBWindow, (byte)flag];
    }

    /// <summary>
    /// Raw deflate of one band into a pooled buffer (kept in <paramref name="buffers"/>[<paramref name="index"/>]): the
    /// final block for the last band, otherwise everything up to a sync flush.
    /// </summary>
    private static ReadOnlyMemory<byte> Deflate(ReadOnlyMemory<byte> band, bool isLast, byte[]?[] buffers, int index)
    {
        byte[] buffer = buffers[index] = ArrayPool<byte>.Shared.Rent(DeflateBound(band.Length));
        var output = new MemoryStream(buffer);   // fixed size: deflate never writes more than its bound
        var options = new ZLibCompressionOptions { CompressionLevel = CompressionLevel, CompressionStrategy = Strategy };
        int length;
        using (var deflate = new DeflateStream(output, options, leaveOpen: true))
        {
            deflate.Write(band.Span);
            if (!isLast)
            {
                deflate.Flush();   // Z_SYNC_FLUSH: all input emitted, ending in 00 00 FF FF on a byte boundary
            }

            length = (int)output.Position;
        }

        // Disposing finishes the stream with a final block; bands before the last are cut at their flush point.
        return buffer.AsMemory(0, isLast ? (int)output.Position : length);
    }

    /// <summary>
    /// At least the deflate output of <paramref name="length"/> bytes with a sync flush and a final block: zlib's
    /// deflateBound (n + n/4096 + n/16384 + n/2^25 + 13 for stored-block overhead) rounded up generously.
    /// </summary>
    internal static int DeflateBound(int length) => length + (length >> 10) + 64;
}

/// <summary>The segments of a zlib stream from <see cref="ZlibBands.Compress"/>; disposing returns the bands' pooled buffers.</summary>
internal sealed class CompressedBands : IDisposable
{
    internal CompressedBands(int bands)
    {
        Segments = new ReadOnlyMemory<byte>[bands + 2];
        Buffers = new byte[]?[bands];
    }

    /// <summary>Header, band 1..n, Adler-32: written in this order they are the zlib stream.</summary>
    public ReadOnlyMemory<byte>[] Segments { get; }

    internal byte[]?[] Buffers { get; }

    public void Dispose()
    {
        for (int i = 0; i < Buffers.Length; i++)
        {
            if (Buffers[i] is { } buffer)
            {
                Buffers[i] = null;
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }
}
