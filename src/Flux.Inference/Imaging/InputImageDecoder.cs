using SkiaSharp;

namespace Flux.Inference.Imaging;

/// <summary>
/// Turns untrusted bytes into opaque RGBA pixels, refusing before the decoder allocates anything whose
/// size the file controls: encoded size, magic bytes, then Skia's header read (dimensions, frame count)
/// against <see cref="InputImageLimits"/>; only then are pixels decoded, and an incomplete decode
/// (truncated or corrupt data, which Skia would otherwise fill with zeros) is refused.
/// </summary>
internal static class InputImageDecoder
{
    /// <summary>Decoded, upright, alpha dropped (alpha type Opaque), colour values as stored: the caller owns it.</summary>
    public static SKBitmap Decode(ReadOnlySpan<byte> bytes, InputImageLimits limits, string field)
    {
        if (bytes.IsEmpty)
        {
            throw new InputImageException(field, "is empty; send a PNG, JPEG or WebP image");
        }

        if (bytes.Length > limits.MaxBytes)
        {
            throw new InputImageException(field, $"is {bytes.Length} bytes, over the limit of {limits.MaxBytes} bytes");
        }

        if (InputImageHeader.Sniff(bytes, out string refusal) is not { } format)
        {
            throw new InputImageException(field, refusal);
        }

        if (format == InputImageFormat.Jpeg && InputImageHeader.JpegComponents(bytes) is 4)
        {
            throw new InputImageException(field, "is a CMYK (or YCCK) JPEG, whose colours depend on a print profile; convert it to RGB (sRGB) and send it again");
        }

        if (format == InputImageFormat.Png && InputImageHeader.PngAnimationFrames(bytes) is > 1 and int apngFrames)
        {
            throw new InputImageException(field, $"is animated ({apngFrames} frames, APNG); send a single still image");
        }

        using var data = SKData.CreateCopy(bytes);
        using var codec = SKCodec.Create(data);
        if (codec is null)
        {
            throw new InputImageException(field, $"cannot be read as {Name(format)}: its header is truncated or corrupt");
        }

        if (Of(codec.EncodedFormat) != format)
        {
            throw new InputImageException(field, $"starts like {Name(format)} but its data is {codec.EncodedFormat}");
        }

        var info = codec.Info;
        long pixels = (long)info.Width * info.Height;
        if (info.Width <= 0 || info.Height <= 0)
        {
            throw new InputImageException(field, $"declares a size of {info.Width}x{info.Height}; an image needs at least one pixel");
        }

        if (pixels > limits.MaxPixels)
        {
            throw new InputImageException(field, $"declares {info.Width}x{info.Height} = {pixels} pixels, over the limit of {limits.MaxPixels} pixels");
        }

        if (codec.FrameCount > 1)
        {
            throw new InputImageException(field, $"is animated ({codec.FrameCount} frames); send a single still image");
        }

        // No colour space: values are kept as stored, as PIL hands them to diffusers (no ICC conversion).
        var decodeInfo = new SKImageInfo(info.Width, info.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        using var decodedBitmap = new SKBitmap(decodeInfo);
        var decoded = codec.GetPixels(decodeInfo, decodedBitmap.GetPixels());
        if (decoded != SKCodecResult.Success)
        {
            throw new InputImageException(field, $"cannot be decoded as {Name(format)}: {Describe(decoded)}");
        }

        return InputImageOrientation.UprightOpaque(decodedBitmap, codec.EncodedOrigin);
    }

    private static InputImageFormat? Of(SKEncodedImageFormat format) => format switch
    {
        SKEncodedImageFormat.Png => InputImageFormat.Png,
        SKEncodedImageFormat.Jpeg => InputImageFormat.Jpeg,
        SKEncodedImageFormat.Webp => InputImageFormat.WebP,
        _ => null,
    };

    private static string Name(InputImageFormat format) => format switch
    {
        InputImageFormat.Png => "PNG",
        InputImageFormat.Jpeg => "JPEG",
        _ => "WebP",
    };

    private static string Describe(SKCodecResult result) => result switch
    {
        SKCodecResult.IncompleteInput => "the file is truncated",
        SKCodecResult.ErrorInInput or SKCodecResult.InvalidInput => "the data is corrupt",
        SKCodecResult.Unimplemented => "it uses a feature this decoder does not support",
        _ => $"the decoder reported {result}",
    };
}
