using System.Buffers.Binary;

namespace Flux.Inference.Imaging;

/// <summary>
/// Reads the few header facts needed before an untrusted file reaches the decoder: the format from its
/// magic bytes (so a GIF, BMP or TIFF is refused by name and never handed to Skia's other codecs), and a
/// JPEG's colour component count. That count is hand-read because SKCodec does not expose it: Skia
/// decodes CMYK/YCCK JPEGs to RGB without their print profile, so the colours would be silently wrong.
/// Likewise a PNG's animation control chunk (APNG acTL): Skia's PNG codec ignores it and reports one frame.
/// </summary>
internal static class InputImageHeader
{
    private static ReadOnlySpan<byte> PngSignature => [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];
    private static ReadOnlySpan<byte> IcoSignature => [0, 0, 1, 0];
    private static ReadOnlySpan<byte> JpegXlCodestream => [0xFF, 0x0A];
    private static ReadOnlySpan<byte> JpegXlContainer => [0, 0, 0, 0x0C, (byte)'J', (byte)'X', (byte)'L', (byte)' '];

    /// <summary>The accepted format, or null with the name of what the bytes are (or appear to be).</summary>
    public static InputImageFormat? Sniff(ReadOnlySpan<byte> bytes, out string refusal)
    {
        refusal = "";
        if (bytes.StartsWith(PngSignature))
        {
            return InputImageFormat.Png;
        }

        if (bytes.Length >= 3 && bytes[0] == 0xFF && bytes[1] == 0xD8 && bytes[2] == 0xFF)
        {
            return InputImageFormat.Jpeg;
        }

        if (bytes.Length >= 12 && bytes[..4].SequenceEqual("RIFF"u8) && bytes[8..12].SequenceEqual("WEBP"u8))
        {
            return InputImageFormat.WebP;
        }

        refusal = KnownOtherFormat(bytes) is { } other
            ? $"is a {other} image; only PNG, JPEG and WebP are accepted"
            : $"is not a PNG, JPEG or WebP image (it starts with bytes {Hex(bytes[..Math.Min(8, bytes.Length)])})";
        return null;
    }

    private static string? KnownOtherFormat(ReadOnlySpan<byte> b)
    {
        if (b.StartsWith("GIF87a"u8) || b.StartsWith("GIF89a"u8))
        {
            return "GIF";
        }

        if (b.StartsWith("BM"u8))
        {
            return "BMP";
        }

        if (b.StartsWith("II*\0"u8) || b.StartsWith("MM\0*"u8))
        {
            return "TIFF";
        }

        if (b.StartsWith(IcoSignature))
        {
            return "ICO";
        }

        if (b.Length >= 12 && b[4..8].SequenceEqual("ftyp"u8))
        {
            return b[8..12].SequenceEqual("avif"u8) || b[8..12].SequenceEqual("avis"u8) ? "AVIF" : "HEIF/ISO media";
        }

        if (b.StartsWith(JpegXlCodestream) || b.StartsWith(JpegXlContainer))
        {
            return "JPEG XL";
        }

        if (b.StartsWith("%PDF"u8))
        {
            return "PDF";
        }

        string text = System.Text.Encoding.ASCII.GetString(b[..Math.Min(256, b.Length)]).TrimStart();
        return text.StartsWith('<') && text.Contains("svg", StringComparison.OrdinalIgnoreCase) ? "SVG" : null;
    }

    /// <summary>
    /// The component count in the JPEG's first frame header (SOFn), walking marker segments from SOI;
    /// null when no frame header is found within the file (the decoder then reports the damage).
    /// </summary>
    public static int? JpegComponents(ReadOnlySpan<byte> jpeg)
    {
        int at = 2; // after SOI
        while (at + 4 <= jpeg.Length)
        {
            if (jpeg[at] != 0xFF)
            {
                return null;
            }

            byte marker = jpeg[at + 1];
            if (marker == 0xFF)
            {
                at++; // fill byte
                continue;
            }

            if (marker is 0xD8 or 0x01 or (>= 0xD0 and <= 0xD7))
            {
                at += 2; // markers without a length
                continue;
            }

            int length = BinaryPrimitives.ReadUInt16BigEndian(jpeg[(at + 2)..]);
            bool frameHeader = marker is >= 0xC0 and <= 0xCF and not 0xC4 and not 0xC8 and not 0xCC;
            if (frameHeader)
            {
                // SOFn: length(2) precision(1) height(2) width(2) components(1)
                return at + 9 < jpeg.Length && length >= 8 ? jpeg[at + 9] : null;
            }

            if (marker is 0xDA or 0xD9 || length < 2)
            {
                return null; // scan data or end before any frame header
            }

            at += 2 + length;
        }

        return null;
    }

    /// <summary>
    /// The frame count an APNG's acTL chunk declares, or null for a still PNG. Chunks are walked from the
    /// signature up to the first IDAT (acTL must precede it); a chunk running past the end stops the walk.
    /// </summary>
    public static int? PngAnimationFrames(ReadOnlySpan<byte> png)
    {
        for (int at = PngSignature.Length; at + 8 <= png.Length;)
        {
            uint length = BinaryPrimitives.ReadUInt32BigEndian(png[at..]);
            var type = png.Slice(at + 4, 4);
            if (type.SequenceEqual("IDAT"u8) || length > int.MaxValue - 12 || at + 12 + (long)length > png.Length)
            {
                return null;
            }

            if (type.SequenceEqual("acTL"u8) && length >= 8)
            {
                uint frames = BinaryPrimitives.ReadUInt32BigEndian(png[(at + 8)..]);
                return (int)Math.Min(frames, int.MaxValue);
            }

            at += 12 + (int)length;
        }

        return null;
    }

    private static string Hex(ReadOnlySpan<byte> bytes) => bytes.IsEmpty ? "(none)" : string.Join(' ', bytes.ToArray().Select(b => b.ToString("X2")));
}
