using System.Globalization;

namespace Flux.Core;

/// <summary>The latent scaling applied before the VAE decoder (diffusers convention).</summary>
public static class VaeScaling
{
    /// <summary>dest = z / scale + shift; FLUX.1 uses scale 0.3611 and shift 0.1159.</summary>
    public static void ToDecoderInput(ReadOnlySpan<float> z, Span<float> dest, float scale, float shift)
    {
        if (!float.IsFinite(scale) || scale == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(scale), string.Create(CultureInfo.InvariantCulture, $"VAE scale {scale} must be finite and non-zero"));
        }

        if (dest.Length != z.Length)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"destination has {dest.Length} floats; the latent has {z.Length}"), nameof(dest));
        }

        Blockwise.DivideAdd(z, scale, shift, dest);
    }
}
