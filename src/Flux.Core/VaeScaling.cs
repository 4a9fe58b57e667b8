using System.Globalization;
using System.Numerics.Tensors;

namespace Flux.Core;

/// <summary>The latent scaling between the VAE and the model space (diffusers convention), both directions.</summary>
public static class VaeScaling
{
    /// <summary>dest = z / scale + shift; FLUX.1 uses scale 0.3611 and shift 0.1159.</summary>
    public static void ToDecoderInput(ReadOnlySpan<float> z, Span<float> dest, float scale, float shift)
    {
        Check(z, dest, scale);
        Blockwise.DivideAdd(z, scale, shift, dest);
    }

    /// <summary>
    /// dest = (z - shift) * scale: the encoder's posterior mean into model space, the inverse of
    /// <see cref="ToDecoderInput"/> (diffusers pipeline_flux_img2img.py <c>_encode_vae_image</c>).
    /// </summary>
    public static void FromEncoderOutput(ReadOnlySpan<float> z, Span<float> dest, float scale, float shift)
    {
        Check(z, dest, scale);
        TensorPrimitives.Subtract(z, shift, dest);
        TensorPrimitives.Multiply(dest, scale, dest);
    }

    private static void Check(ReadOnlySpan<float> z, ReadOnlySpan<float> dest, float scale)
    {
        if (!float.IsFinite(scale) || scale == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(scale), string.Create(CultureInfo.InvariantCulture, $"VAE scale {scale} must be finite and non-zero"));
        }

        if (dest.Length != z.Length)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"destination has {dest.Length} floats; the latent has {z.Length}"), nameof(dest));
        }
    }
}
