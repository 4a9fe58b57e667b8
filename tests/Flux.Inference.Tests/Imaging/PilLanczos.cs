namespace Flux.Inference.Tests.Imaging;

/// <summary>
/// Pillow's LANCZOS resize, restated loop by loop from Pillow src/libImaging/Resample.c (precompute_coeffs,
/// ImagingResampleHorizontal_8bpc, ImagingResampleVertical_8bpc, lanczos_filter, sinc_filter): a separable
/// Lanczos-3 whose support widens by the downscale factor, horizontal pass first, each pass rounded and
/// clipped to 8 bits. Pillow works in 22-bit fixed point; doubles here differ from it by at most 1 level.
/// This is what diffusers' VaeImageProcessor.resize calls (image.resize((width, height), LANCZOS)).
/// </summary>
internal static class PilLanczos
{
    /// <summary>Resizes (H, W, C) 8-bit pixels.</summary>
    public static byte[] Resize(byte[] pixels, int width, int height, int channels, int outWidth, int outHeight)
    {
        var horizontal = new byte[height * outWidth * channels];
        var (xmins, xweights) = Coefficients(width, outWidth);
        for (int y = 0; y < height; y++)
        {
            for (int xx = 0; xx < outWidth; xx++)
            {
                for (int c = 0; c < channels; c++)
                {
                    double sum = 0;
                    for (int k = 0; k < xweights[xx].Length; k++)
                    {
                        sum += pixels[(y * width + xmins[xx] + k) * channels + c] * xweights[xx][k];
                    }

                    horizontal[(y * outWidth + xx) * channels + c] = Clip8(sum);
                }
            }
        }

        var output = new byte[outHeight * outWidth * channels];
        var (ymins, yweights) = Coefficients(height, outHeight);
        for (int yy = 0; yy < outHeight; yy++)
        {
            for (int x = 0; x < outWidth; x++)
            {
                for (int c = 0; c < channels; c++)
                {
                    double sum = 0;
                    for (int k = 0; k < yweights[yy].Length; k++)
                    {
                        sum += horizontal[((ymins[yy] + k) * outWidth + x) * channels + c] * yweights[yy][k];
                    }

                    output[(yy * outWidth + x) * channels + c] = Clip8(sum);
                }
            }
        }

        return output;
    }

    /// <summary>precompute_coeffs: per output pixel, the first input pixel and the normalized weights.</summary>
    private static (int[] Min, double[][] Weights) Coefficients(int inSize, int outSize)
    {
        double scale = (double)inSize / outSize;
        double filterScale = Math.Max(scale, 1.0);
        double support = 3.0 * filterScale; // lanczos support 3
        var mins = new int[outSize];
        var weights = new double[outSize][];
        for (int xx = 0; xx < outSize; xx++)
        {
            double center = (xx + 0.5) * scale;
            double ss = 1.0 / filterScale;
            int xmin = Math.Max((int)(center - support + 0.5), 0);
            int xmax = Math.Min((int)(center + support + 0.5), inSize) - xmin;
            var k = new double[xmax];
            double total = 0;
            for (int x = 0; x < xmax; x++)
            {
                k[x] = Lanczos((x + xmin - center + 0.5) * ss);
                total += k[x];
            }

            for (int x = 0; x < xmax && total != 0; x++)
            {
                k[x] /= total;
            }

            mins[xx] = xmin;
            weights[xx] = k;
        }

        return (mins, weights);
    }

    private static double Lanczos(double x) => x >= -3.0 && x < 3.0 ? Sinc(x) * Sinc(x / 3.0) : 0.0;

    private static double Sinc(double x)
    {
        if (x == 0.0)
        {
            return 1.0;
        }

        x *= Math.PI;
        return Math.Sin(x) / x;
    }

    private static byte Clip8(double value) => (byte)Math.Clamp(Math.Floor(value + 0.5), 0, 255);
}
