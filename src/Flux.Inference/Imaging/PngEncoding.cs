using System.Buffers;

namespace Flux.Inference.Imaging;

/// <summary>RGB bytes -> PNG with text chunks (generation parameters). Encodes only; never decodes input images.</summary>
/// <remarks>
/// The file is, per the PNG specification: signature, IHDR (8-bit RGB, not interlaced), one tEXt or iTXt chunk per
/// text entry, one IDAT with the zlib stream of the filtered scanlines, IEND. Deflate is the runtime's native zlib-ng
/// (System.IO.Compression); the chunk CRC-32 and the zlib Adler-32 come from System.IO.Hashing.
/// The bytes depend only on the pixels, the size and the text: the number of deflate bands follows from the image
/// size alone (<see cref="ZlibBands.BandCount"/>), never from the machine's core count, so every machine writes the
/// same file for the same image.
/// </remarks>
public static class PngEncoding
{
    /// <summary>
    /// Row filter applied to every scanline. With run-length deflate (<see cref="ZlibBands.Strategy"/>), Up gives the
    /// smallest files of None/Sub/Up on tiny-model output (noise-like), on flat shapes and (level with Sub) on smooth
    /// photo-like images, in the same time (docs/benchmarks.md, "PNG encoding").
    /// </summary>
    internal const PngFilterType DefaultFilter = PngFilterType.Up;

    private const int BytesPerPixel = 3;

    /// <summary>
    /// Encodes (H, W, 3) bytes; each entry becomes a tEXt chunk (iTXt for non-Latin-1 text). Throws an ArgumentException
    /// naming the keyword when it is not 1 to 79 printable Latin-1 characters or its value holds a null character.
    /// </summary>
    public static byte[] Encode(ReadOnlySpan<byte> rgb, int width, int height, IEnumerable<KeyValuePair<string, string>> text) =>
        Encode(rgb, width, height, text, DefaultFilter, bands: null);

    /// <summary>Encodes with an explicit row filter and number of deflate bands (tests and benchmarks); null bands = by size.</summary>
    internal static byte[] Encode(
        ReadOnlySpan<byte> rgb, int width, int height, IEnumerable<KeyValuePair<string, string>> text, PngFilterType filter, int? bands)
    {
        ArgumentNullException.ThrowIfNull(text);
        int scanlinesLength = ScanlinesLength(rgb, width, height);
        var textChunks = text.Select(PngText.Chunk).ToList();   // validated before any work is done

        byte[] scanlines = ArrayPool<byte>.Shared.Rent(scanlinesLength);
        try
        {
            var filtered = scanlines.AsMemory(0, scanlinesLength);   // (H, 1 + 3W): filter type byte, then the filtered row
            PngRowFilter.ApplyAll(rgb, width * BytesPerPixel, filter, filtered.Span);
            using var idat = ZlibBands.Compress(filtered, bands ?? ZlibBands.BandCount(scanlinesLength));
            return PngContainer.Write(width, height, textChunks, idat.Segments);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(scanlines);
        }
    }

    /// <summary>Length of the filtered scanlines (one filter byte per row), after checking the pixel buffer's size.</summary>
    private static int ScanlinesLength(ReadOnlySpan<byte> rgb, int width, int height)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        long pixels = (long)width * height * BytesPerPixel;
        if (rgb.Length != pixels)
        {
            throw new ArgumentException($"{rgb.Length} bytes are not a {width}x{height} RGB image ({pixels} bytes)", nameof(rgb));
        }

        long length = pixels + height;
        if (length > Array.MaxLength)
        {
            throw new ArgumentException($"a {width}x{height} image is too large to encode as one PNG here", nameof(rgb));
        }

        return (int)length;
    }
}
