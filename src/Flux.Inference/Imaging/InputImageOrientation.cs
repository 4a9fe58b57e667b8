using SkiaSharp;

namespace Flux.Inference.Imaging;

/// <summary>
/// Applies the file's EXIF orientation (as diffusers' load_image does with ImageOps.exif_transpose, so a
/// phone photo is not fed to the VAE on its side) and drops alpha, keeping the stored colours as PIL's
/// convert("RGB") does: the VAE takes 3 channels, and resizing opaque pixels cannot bleed the colours
/// of transparent ones into their neighbours. Skia decodes pixels as stored and only reports the origin.
/// </summary>
internal static class InputImageOrientation
{
    /// <summary>A new opaque RGBA bitmap, upright; the caller owns it.</summary>
    public static SKBitmap UprightOpaque(SKBitmap stored, SKEncodedOrigin origin)
    {
        int w = stored.Width, h = stored.Height;
        bool swapsAxes = origin is SKEncodedOrigin.LeftTop or SKEncodedOrigin.RightTop or SKEncodedOrigin.RightBottom or SKEncodedOrigin.LeftBottom;
        int uprightWidth = swapsAxes ? h : w, uprightHeight = swapsAxes ? w : h;
        var upright = new SKBitmap(new SKImageInfo(uprightWidth, uprightHeight, SKColorType.Rgba8888, SKAlphaType.Opaque));
        ReadOnlySpan<byte> src = stored.GetPixelSpan();
        Span<byte> dst = upright.GetPixelSpan();
        int srcRow = stored.RowBytes, dstRow = upright.RowBytes;
        for (int y = 0; y < uprightHeight; y++)
        {
            for (int x = 0; x < uprightWidth; x++)
            {
                // The stored pixel shown at upright (x, y), per the EXIF orientation tag's definition.
                (int sx, int sy) = origin switch
                {
                    SKEncodedOrigin.TopRight => (w - 1 - x, y),
                    SKEncodedOrigin.BottomRight => (w - 1 - x, h - 1 - y),
                    SKEncodedOrigin.BottomLeft => (x, h - 1 - y),
                    SKEncodedOrigin.LeftTop => (y, x),
                    SKEncodedOrigin.RightTop => (y, h - 1 - x),
                    SKEncodedOrigin.RightBottom => (w - 1 - y, h - 1 - x),
                    SKEncodedOrigin.LeftBottom => (w - 1 - y, x),
                    _ => (x, y),
                };
                int s = sy * srcRow + sx * 4, d = y * dstRow + x * 4;
                dst[d] = src[s];
                dst[d + 1] = src[s + 1];
                dst[d + 2] = src[s + 2];
                dst[d + 3] = 255;
            }
        }

        return upright;
    }
}
