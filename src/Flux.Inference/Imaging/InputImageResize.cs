using SkiaSharp;

namespace Flux.Inference.Imaging;

/// <summary>
/// Resizes to the request's width x height, ignoring aspect ratio, as diffusers' VaeImageProcessor.resize
/// does in its "default" mode with PIL's LANCZOS filter (Lanczos-3, its support widened by the
/// downscale factor so that shrinking averages every source pixel). Skia has no Lanczos sampler, so the
/// same two properties are had from what it does have: while an axis shrinks by 2x or more it is halved
/// with bilinear sampling (an exact 2-pixel box average, an anti-aliasing prefilter), then one Catmull-Rom
/// cubic pass (B = 0, C = 1/2: interpolating and as sharp as Lanczos-3 at close range) reaches the exact
/// size. The tests measure the result against a restatement of PIL's Lanczos resampler.
/// </summary>
internal static class InputImageResize
{
    private static readonly SKSamplingOptions Halving = new(SKFilterMode.Linear, SKMipmapMode.None);
    private static readonly SKSamplingOptions Final = new(SKCubicResampler.CatmullRom);

    /// <summary>A new bitmap of the target size (or <paramref name="source"/> itself when it already is); the caller owns it.</summary>
    public static SKBitmap To(SKBitmap source, int width, int height)
    {
        var current = source;
        while (current.Width >= 2 * width || current.Height >= 2 * height)
        {
            int halfWidth = current.Width >= 2 * width ? current.Width / 2 : current.Width;
            int halfHeight = current.Height >= 2 * height ? current.Height / 2 : current.Height;
            current = Replace(current, source, Scale(current, halfWidth, halfHeight, Halving));
        }

        return current.Width == width && current.Height == height
            ? current
            : Replace(current, source, Scale(current, width, height, Final));
    }

    private static SKBitmap Scale(SKBitmap from, int width, int height, SKSamplingOptions sampling)
    {
        var to = new SKBitmap(new SKImageInfo(width, height, from.ColorType, from.AlphaType));
        if (!from.ScalePixels(to, sampling))
        {
            to.Dispose();
            throw new InvalidOperationException($"Skia could not scale {from.Width}x{from.Height} {from.ColorType} to {width}x{height}");
        }

        return to;
    }

    /// <summary>Disposes an intermediate bitmap once the next one exists (never the caller's source).</summary>
    private static SKBitmap Replace(SKBitmap old, SKBitmap source, SKBitmap next)
    {
        if (!ReferenceEquals(old, source))
        {
            old.Dispose();
        }

        return next;
    }
}
