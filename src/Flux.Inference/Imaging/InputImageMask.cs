namespace Flux.Inference.Imaging;

/// <summary>
/// An untrusted inpainting mask, prepared as diffusers' mask processor does (VaeImageProcessor with
/// do_convert_grayscale, do_binarize, no normalize): resize to (width, height), convert to grey with
/// PIL's "L" weights, scale to [0, 1], then binarize: below 0.5 is 0 (keep), 0.5 and above is 1 (repaint:
/// white = repaint). Decoding and its refusals are those of <see cref="InputImage"/>.
/// </summary>
public sealed class InputImageMask
{
    private InputImageMask(int width, int height, byte[] repaint) => (Width, Height, Repaint) = (width, height, repaint);

    public int Width { get; }

    public int Height { get; }

    /// <summary>(H, W): 1 where the pixel is repainted, 0 where the input is kept.</summary>
    public byte[] Repaint { get; }

    public static InputImageMask Decode(ReadOnlySpan<byte> bytes, int width, int height, InputImageLimits limits, string field)
    {
        using var resized = InputImage.DecodeResized(bytes, width, height, limits, field);
        var pixels = resized.GetPixelSpan();
        var repaint = new byte[width * height]; // (H, W)
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                int p = y * resized.RowBytes + x * 4;
                int grey = Luma(pixels[p], pixels[p + 1], pixels[p + 2]);
                repaint[y * width + x] = grey / 255f >= 0.5f ? (byte)1 : (byte)0;
            }
        }

        return new InputImageMask(width, height, repaint);
    }

    /// <summary>(1, H, W) of 0 and 1, the mask layout diffusers' processor returns for one image.</summary>
    public float[] ToFloats() => [.. Repaint.Select(r => (float)r)];

    /// <summary>PIL's RGB to "L": L = R 299/1000 + G 587/1000 + B 114/1000, in its 16-bit fixed point, rounded.</summary>
    internal static int Luma(byte r, byte g, byte b) => (r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16;
}
