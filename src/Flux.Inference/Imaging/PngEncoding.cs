using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;

namespace Flux.Inference.Imaging;

/// <summary>RGB bytes -> PNG with text chunks (generation parameters). Encodes only; never decodes input images.</summary>
public static class PngEncoding
{
    private static readonly PngEncoder Encoder = new()
    {
        ColorType = PngColorType.Rgb,
        BitDepth = PngBitDepth.Bit8,
        // Measured on 512x512 tiny-model output: level 6 with adaptive filters takes ~900 ms in ImageSharp's
        // deflater, level 1 with Paeth ~60 ms for files ~20% larger. Encoding time counts as pipeline overhead.
        CompressionLevel = PngCompressionLevel.BestSpeed,
        FilterMethod = PngFilterMethod.Paeth,
        // Keep parameters readable as tEXt (Latin-1) rather than compressed zTXt.
        TextCompressionThreshold = int.MaxValue,
    };

    /// <summary>Encodes (H, W, 3) bytes; each entry becomes a tEXt chunk (iTXt for non-Latin-1 text).</summary>
    public static byte[] Encode(ReadOnlySpan<byte> rgb, int width, int height, IEnumerable<KeyValuePair<string, string>> text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (rgb.Length != width * height * 3)
        {
            throw new ArgumentException($"{rgb.Length} bytes are not a {width}x{height} RGB image", nameof(rgb));
        }

        using var image = Image.LoadPixelData<Rgb24>(rgb, width, height);
        var png = image.Metadata.GetPngMetadata();
        foreach (var (key, value) in text)
        {
            png.TextData.Add(new PngTextData(key, value, string.Empty, string.Empty));
        }

        using var stream = new MemoryStream(rgb.Length / 2);
        image.SaveAsPng(stream, Encoder);
        return stream.ToArray();
    }
}
