using System.Globalization;

namespace Flux.Core;

/// <summary>
/// The mask handling of diffusers' FluxInpaintPipeline for the base (64-channel) models
/// (src/diffusers/pipelines/flux/pipeline_flux_inpaint.py): the mask is binarized, resized to the latent grid
/// with nearest-neighbour interpolation and packed like a latent; after every sampler step the latent outside
/// the mask is reset to the input image's latent noised to the step's new time.
/// </summary>
public static class Inpainting
{
    /// <summary>
    /// (H, W) mask luminance bytes (white = repaint) -> packed mask (L, 64) of 0 and 1, as <c>mask_processor.preprocess</c>
    /// (value / 255, then binarize: &lt; 0.5 -> 0, else 1), <c>prepare_mask_latents</c>
    /// (<c>torch.nn.functional.interpolate(mask, size=(H/8, W/8))</c>, mode "nearest": latent cell (y, x) takes
    /// pixel (floor(y * 8), floor(x * 8))), repeated over the 16 channels and packed with <c>_pack_latents</c>.
    /// </summary>
    public static float[] PackedMask(ReadOnlySpan<byte> mask, ImageSize size)
    {
        if (mask.Length != size.Width * size.Height)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"the mask has {mask.Length} bytes; a {size.Width}x{size.Height} mask has {size.Width * size.Height} (one luminance byte per pixel)"), nameof(mask));
        }

        var latent = new float[size.LatentLength];   // (16, H/8, W/8)
        int cells = size.LatentHeight * size.LatentWidth;
        for (int y = 0; y < size.LatentHeight; y++)
        {
            for (int x = 0; x < size.LatentWidth; x++)
            {
                byte pixel = mask[(y * FluxConstants.VaeScaleFactor * size.Width) + (x * FluxConstants.VaeScaleFactor)];
                float value = pixel / 255f < 0.5f ? 0f : 1f;
                for (int c = 0; c < FluxConstants.LatentChannels; c++)
                {
                    latent[(c * cells) + (y * size.LatentWidth) + x] = value;
                }
            }
        }

        var packed = new float[size.PackedLength];   // (L, 64)
        LatentLayout.Pack(latent, packed, size);
        return packed;
    }

    /// <summary>
    /// After a step landing on <paramref name="tNext"/>: latents = (1 - mask) * ((1 - tNext) * x0 + tNext * noise) + mask * latents,
    /// the denoising loop's <c>init_latents_proper</c> blend (at the last step, tNext = 0, the reset is x0 itself).
    /// All spans are packed (B, L, 64); <paramref name="noise"/> is the run's initial noise.
    /// </summary>
    public static void Blend(Span<float> latents, ReadOnlySpan<float> imageLatent, ReadOnlySpan<float> noise, ReadOnlySpan<float> mask, double tNext)
    {
        ImageToImage.CheckNoising(imageLatent, noise, latents, tNext);
        if (mask.Length != latents.Length)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"the mask has {mask.Length} values; the latents have {latents.Length}"), nameof(mask));
        }

        float t = (float)tNext;
        for (int i = 0; i < latents.Length; i++)
        {
            float initLatentsProper = (t * noise[i]) + ((1f - t) * imageLatent[i]);   // scale_noise(image_latents, t_next, noise)
            latents[i] = ((1f - mask[i]) * initLatentsProper) + (mask[i] * latents[i]);
        }
    }
}
