using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Flux.Functions.Tests.Inputs;

/// <summary>Input images for requests, written with ImageSharp, and the comparisons the tests make on outputs.</summary>
public static class TestImages
{
    public const int Cell = 8;

    /// <summary>
    /// Flat 8x8 cells of random colours in [24, 231]: the reference package's patch VAE represents them exactly, so a
    /// round trip through it changes them by byte rounding only.
    /// </summary>
    public static byte[] FlatCellsRgb(int width, int height, int seed)
    {
        var random = new Random(seed);
        var rgb = new byte[width * height * 3];
        for (int cy = 0; cy < height / Cell; cy++)
        {
            for (int cx = 0; cx < width / Cell; cx++)
            {
                byte r = (byte)random.Next(24, 232), g = (byte)random.Next(24, 232), b = (byte)random.Next(24, 232);
                for (int y = cy * Cell; y < (cy + 1) * Cell; y++)
                {
                    for (int x = cx * Cell; x < (cx + 1) * Cell; x++)
                    {
                        int p = ((y * width) + x) * 3;
                        (rgb[p], rgb[p + 1], rgb[p + 2]) = (r, g, b);
                    }
                }
            }
        }

        return rgb;
    }

    /// <summary>A mask, white (repaint) where <paramref name="repaint"/> holds, black elsewhere.</summary>
    public static byte[] MaskRgb(int width, int height, Func<int, int, bool> repaint)
    {
        var rgb = new byte[width * height * 3];
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                byte v = repaint(x, y) ? (byte)255 : (byte)0;
                int p = ((y * width) + x) * 3;
                (rgb[p], rgb[p + 1], rgb[p + 2]) = (v, v, v);
            }
        }

        return rgb;
    }

    public static byte[] Png(byte[] rgb, int width, int height)
    {
        using var image = Image.LoadPixelData<Rgb24>(rgb, width, height);
        using var file = new MemoryStream();
        image.SaveAsPng(file);
        return file.ToArray();
    }

    /// <summary>A small valid PNG of one colour.</summary>
    public static byte[] SolidPng(int width, int height) => Png([.. Enumerable.Repeat((byte)128, width * height * 3)], width, height);

    /// <summary>(H, W, 3) pixels of an image file (PNG, JPEG, WebP) the service wrote.</summary>
    public static byte[] Rgb(byte[] file)
    {
        using var image = Image.Load<Rgb24>(file);
        var rgb = new byte[image.Width * image.Height * 3];
        image.CopyPixelDataTo(rgb);
        return rgb;
    }

    /// <summary>PSNR in dB over the pixels where <paramref name="where"/> holds (all by default).</summary>
    public static double Psnr(byte[] expected, byte[] actual, int width, Func<int, int, bool>? where = null)
    {
        double sum = 0;
        long count = 0;
        for (int p = 0; p < expected.Length / 3; p++)
        {
            if (where is not null && !where(p % width, p / width))
            {
                continue;
            }

            for (int c = 0; c < 3; c++)
            {
                double d = expected[(p * 3) + c] - actual[(p * 3) + c];
                sum += d * d;
                count++;
            }
        }

        double mse = sum / count;
        return mse == 0 ? double.PositiveInfinity : 10 * Math.Log10(255.0 * 255.0 / mse);
    }
}
