using System.Globalization;

namespace Flux.Core;

/// <summary>
/// A cheap RGB preview of a FLUX latent without the VAE: a linear map of the 16 channels of each latent
/// cell to RGB, with the factors ComfyUI lists for FLUX.1 (<c>comfy/latent_formats.py</c>, class
/// <c>Flux</c>: <c>latent_rgb_factors</c> 16x3 and <c>latent_rgb_factors_bias</c>), applied to the
/// sampler-space latent as ComfyUI does, then mapped from [-1, 1] to bytes.
/// </summary>
public static class LatentPreview
{
    /// <summary>Bytes per preview pixel (R, G, B).</summary>
    public const int RgbChannels = 3;

    // (16, 3): row c is channel c's contribution to (R, G, B).
    private static readonly float[] RgbFactors =
    [
        -0.0346f, 0.0244f, 0.0681f,
        0.0034f, 0.0210f, 0.0687f,
        0.0275f, -0.0668f, -0.0433f,
        -0.0174f, 0.0160f, 0.0617f,
        0.0859f, 0.0721f, 0.0329f,
        0.0004f, 0.0383f, 0.0115f,
        0.0405f, 0.0861f, 0.0915f,
        -0.0236f, -0.0185f, -0.0259f,
        -0.0245f, 0.0250f, 0.1180f,
        0.1008f, 0.0755f, -0.0421f,
        -0.0515f, 0.0201f, 0.0011f,
        0.0428f, -0.0012f, -0.0036f,
        0.0817f, 0.0765f, 0.0749f,
        -0.1264f, -0.0522f, -0.1103f,
        -0.0280f, -0.0881f, -0.0499f,
        -0.1262f, -0.0982f, -0.0778f,
    ];

    private static readonly float[] RgbBias = [-0.0329f, -0.0718f, -0.0851f];

    /// <summary>The 16x3 latent-to-RGB factors, row-major (channel, rgb).</summary>
    public static ReadOnlySpan<float> Factors => RgbFactors;

    /// <summary>The RGB bias added after the factors.</summary>
    public static ReadOnlySpan<float> Bias => RgbBias;

    /// <summary>Bytes of the preview of <paramref name="size"/>: (H/8) * (W/8) * 3.</summary>
    public static int RgbLength(ImageSize size) => size.LatentHeight * size.LatentWidth * RgbChannels;

    /// <summary>
    /// Writes the (H/8, W/8, 3) RGB preview of one image's packed latent (L, 64):
    /// rgb = bias + sum_c latent[c] * factors[c], byte = clamp((rgb + 1) / 2, 0, 1) * 255 rounded.
    /// </summary>
    public static void ToRgb(ReadOnlySpan<float> packedLatent, ImageSize size, Span<byte> rgb)
    {
        if (packedLatent.Length != size.PackedLength)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"packed latent has {packedLatent.Length} floats; one image of {size} needs {size.PackedLength}"), nameof(packedLatent));
        }

        if (rgb.Length != RgbLength(size))
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"preview buffer has {rgb.Length} bytes; {size} needs {RgbLength(size)}"), nameof(rgb));
        }

        const int channelStride = FluxConstants.PatchSize * FluxConstants.PatchSize;   // c*4 + ph*2 + pw
        for (int y = 0; y < size.LatentHeight; y++)
        {
            for (int x = 0; x < size.LatentWidth; x++)
            {
                int cell = LatentLayout.PackedIndex(size, 0, y, x);   // channel 0 of this cell in (L, 64)
                int pixel = ((y * size.LatentWidth) + x) * RgbChannels;
                for (int k = 0; k < RgbChannels; k++)
                {
                    float value = RgbBias[k];
                    for (int c = 0; c < FluxConstants.LatentChannels; c++)
                    {
                        value += packedLatent[cell + (c * channelStride)] * RgbFactors[(c * RgbChannels) + k];
                    }

                    rgb[pixel + k] = ToByte(value);
                }
            }
        }
    }

    /// <summary>The clean-latent estimate of rectified flow: x0 = x - t * v (destination may be x itself).</summary>
    public static void EstimateX0(ReadOnlySpan<float> x, ReadOnlySpan<float> velocity, float t, Span<float> destination)
    {
        if (velocity.Length != x.Length || destination.Length != x.Length)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"x ({x.Length}), velocity ({velocity.Length}) and destination ({destination.Length}) must have the same length"), nameof(destination));
        }

        Blockwise.MultiplyAdd(velocity, -t, x, destination);   // (B, L, 64)
    }

    private static byte ToByte(float value) => (byte)MathF.Round(Math.Clamp((value + 1f) / 2f, 0f, 1f) * 255f);
}
