using SkiaSharp;

namespace Flux.Inference.Imaging;

/// <summary>
/// An untrusted input image (the source of image-to-image), decoded, checked and resized to the size
/// being generated, as diffusers' VaeImageProcessor.preprocess prepares a PIL image: resize to
/// (width, height), RGB, then <see cref="ToVaeInput()"/> normalizes to [-1, 1].
/// What is converted and what is refused, and why:
/// - 16-bit PNG: converted to 8 bits (PIL does the same for RGB; photo editors export 16-bit by default).
/// - palette and grey PNG, grey JPEG, lossy and lossless WebP: converted to RGB.
/// - alpha: dropped, the stored colours kept (PIL's convert("RGB")); the VAE takes 3 channels.
/// - EXIF orientation: applied (diffusers' load_image applies exif_transpose).
/// - ICC profiles: ignored, values taken as stored, as PIL hands them to diffusers.
/// - CMYK/YCCK JPEG: refused; without the print profile the colours would be silently wrong.
/// - animated WebP and APNG (more than one frame): refused; which frame was meant is not knowable.
/// - GIF, BMP, TIFF, ICO, HEIF/AVIF, JPEG XL, SVG, PDF and unknown bytes: refused by name, never
///   handed to Skia's other codecs (less decoder surface for hostile files).
/// - over the byte limit, or a header declaring more pixels than the limit: refused before decoding.
/// - truncated or corrupt data (Skia would fill the rest with zeros): refused.
/// Every refusal is an <see cref="InputImageException"/> naming the field.
/// </summary>
public sealed class InputImage
{
    private InputImage(int width, int height, byte[] rgb) => (Width, Height, Rgb) = (width, height, rgb);

    public int Width { get; }

    public int Height { get; }

    /// <summary>(H, W, 3) row-major 8-bit RGB.</summary>
    public byte[] Rgb { get; }

    /// <summary>Decodes <paramref name="bytes"/> and resizes to <paramref name="width"/> x <paramref name="height"/>.</summary>
    /// <param name="field">The request field the bytes came from ("items[0].image"); every refusal names it.</param>
    public static InputImage Decode(ReadOnlySpan<byte> bytes, int width, int height, InputImageLimits limits, string field)
    {
        using var resized = DecodeResized(bytes, width, height, limits, field);
        var pixels = resized.GetPixelSpan();
        var rgb = new byte[width * height * 3]; // (H, W, 3)
        for (int y = 0; y < height; y++)
        {
            var row = pixels.Slice(y * resized.RowBytes, width * 4);
            for (int x = 0; x < width; x++)
            {
                row.Slice(x * 4, 3).CopyTo(rgb.AsSpan((y * width + x) * 3, 3));
            }
        }

        return new InputImage(width, height, rgb);
    }

    /// <summary>
    /// (3, H, W) in [-1, 1]: x / 255 then 2x - 1, as pil_to_numpy and normalize do in diffusers'
    /// image_processor.py; the layout the VAE encoder takes for one image.
    /// </summary>
    public float[] ToVaeInput() => ToVaeInput(Rgb, Width, Height);

    /// <summary><see cref="ToVaeInput()"/> of (H, W, 3) RGB bytes: the one normalization VaeEncoding feeds the encoder.</summary>
    internal static float[] ToVaeInput(ReadOnlySpan<byte> rgb, int width, int height)
    {
        int plane = width * height;
        var chw = new float[3 * plane]; // (3, H, W)
        for (int i = 0; i < plane; i++)
        {
            for (int c = 0; c < 3; c++)
            {
                chw[c * plane + i] = 2f * (rgb[i * 3 + c] / 255f) - 1f;
            }
        }

        return chw;
    }

    /// <summary>Shared by images and masks: checked decode, then the diffusers-style resize; opaque RGBA, caller owns it.</summary>
    internal static SKBitmap DecodeResized(ReadOnlySpan<byte> bytes, int width, int height, InputImageLimits limits, string field)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        ArgumentNullException.ThrowIfNull(limits);
        var decoded = InputImageDecoder.Decode(bytes, limits, field);
        var resized = InputImageResize.To(decoded, width, height);
        if (!ReferenceEquals(resized, decoded))
        {
            decoded.Dispose();
        }

        return resized;
    }
}
