using Flux.Core;
using Flux.Inference.Imaging;
using Flux.ModelBuilder.Reference;

namespace Flux.Inference.Tests.Pipeline;

/// <summary>Input images and masks for the image-to-image and inpainting tests, decoded through the real decoders, and PSNR.</summary>
internal static class InputImages
{
    public const int Cell = FluxConstants.VaeScaleFactor;

    /// <summary>
    /// A picture of flat 8x8 cells (the reference VAE's patches): exactly representable by its DCT basis, so a VAE round
    /// trip changes it by byte truncation only. Colours stay inside [24, 231] so no pixel clips.
    /// </summary>
    public static byte[] FlatCells(ImageSize size, int seed)
    {
        var random = new Random(seed);
        var rgb = new byte[size.Width * size.Height * 3];
        for (int cy = 0; cy < size.Height / Cell; cy++)
        {
            for (int cx = 0; cx < size.Width / Cell; cx++)
            {
                byte[] colour = [(byte)random.Next(24, 232), (byte)random.Next(24, 232), (byte)random.Next(24, 232)];
                Fill(rgb, size, cx * Cell, cy * Cell, Cell, Cell, colour);
            }
        }

        return rgb;
    }

    /// <summary>A set image of the reference package as (H, W, 3) bytes.</summary>
    public static byte[] SetImage(ShapeImage image)
    {
        float[] planes = ShapeDataset.Render(image);   // (3, H, W) in [-1, 1]
        int plane = ShapeDataset.Side * ShapeDataset.Side;
        var rgb = new byte[plane * 3];
        for (int p = 0; p < plane; p++)
        {
            for (int c = 0; c < 3; c++)
            {
                rgb[(p * 3) + c] = (byte)Math.Round((planes[(c * plane) + p] + 1) * 127.5);
            }
        }

        return rgb;
    }

    public static void Fill(byte[] rgb, ImageSize size, int x0, int y0, int width, int height, byte[] colour)
    {
        for (int y = y0; y < y0 + height; y++)
        {
            for (int x = x0; x < x0 + width; x++)
            {
                colour.CopyTo(rgb, ((y * size.Width) + x) * 3);
            }
        }
    }

    /// <summary>The bytes as a PNG file, decoded back as the CLI and the service decode untrusted input.</summary>
    public static InputImage Image(byte[] rgb, ImageSize size) =>
        InputImage.Decode(PngEncoding.Encode(rgb, size.Width, size.Height, []), size.Width, size.Height, InputImageLimits.Default, "image");

    /// <summary>A mask white (repaint) inside the rectangle, black elsewhere, through the real mask decoder.</summary>
    public static InputImageMask Mask(ImageSize size, int x0, int y0, int width, int height)
    {
        var rgb = new byte[size.Width * size.Height * 3];
        Fill(rgb, size, x0, y0, width, height, [255, 255, 255]);
        return InputImageMask.Decode(PngEncoding.Encode(rgb, size.Width, size.Height, []), size.Width, size.Height, InputImageLimits.Default, "mask");
    }

    /// <summary>Peak signal-to-noise ratio in dB over the pixels where <paramref name="include"/>(x, y) holds (infinity when equal).</summary>
    public static double Psnr(byte[] expected, byte[] actual, ImageSize size, Func<int, int, bool>? include = null)
    {
        double squares = 0;
        long count = 0;
        for (int y = 0; y < size.Height; y++)
        {
            for (int x = 0; x < size.Width; x++)
            {
                if (include is not null && !include(x, y))
                {
                    continue;
                }

                for (int c = 0; c < 3; c++)
                {
                    int i = (((y * size.Width) + x) * 3) + c;
                    double d = expected[i] - actual[i];
                    squares += d * d;
                    count++;
                }
            }
        }

        double mse = squares / count;
        return mse == 0 ? double.PositiveInfinity : 10 * Math.Log10(255.0 * 255.0 / mse);
    }
}
