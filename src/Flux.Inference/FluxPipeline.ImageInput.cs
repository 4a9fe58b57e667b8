using Flux.Core;
using Flux.Inference.Imaging;
using Flux.Inference.Packages;
using Flux.Inference.Stages;

namespace Flux.Inference;

/// <summary>
/// Image-to-image and inpainting inside the one chunk loop, as diffusers' FluxImg2ImgPipeline and FluxInpaintPipeline
/// do for the base models (src/diffusers/pipelines/flux/pipeline_flux_img2img.py, pipeline_flux_inpaint.py).
/// </summary>
public sealed partial class FluxPipeline
{
    /// <summary>The decoded image and mask are given exactly when the settings name them, at the settings' size.</summary>
    private static void CheckInputImages(GenerationSettings settings, InputImage? image, InputImageMask? mask)
    {
        if (settings.Image is not null && image is null)
        {
            throw new ArgumentException($"settings.Image '{settings.Image}' is set but no decoded input image was given (Image: InputImage.Decode at {settings.Width}x{settings.Height})", nameof(image));
        }

        if (settings.Image is null && image is not null)
        {
            throw new ArgumentException("an input image was given but settings.Image is not set (name the image in the settings, or give none)", nameof(image));
        }

        if (settings.Mask is not null && mask is null)
        {
            throw new ArgumentException($"settings.Mask '{settings.Mask}' is set but no decoded mask was given (Mask: InputImageMask.Decode at {settings.Width}x{settings.Height})", nameof(mask));
        }

        if (settings.Mask is null && mask is not null)
        {
            throw new ArgumentException("a mask was given but settings.Mask is not set (name the mask in the settings, or give none)", nameof(mask));
        }

        if (image is not null && (image.Width != settings.Width || image.Height != settings.Height))
        {
            throw new ArgumentException($"the input image is {image.Width}x{image.Height} but the settings generate {settings.Width}x{settings.Height}; decode it at that size", nameof(image));
        }

        if (mask is not null && (mask.Width != settings.Width || mask.Height != settings.Height))
        {
            throw new ArgumentException($"the mask is {mask.Width}x{mask.Height} but the settings generate {settings.Width}x{settings.Height}; decode it at that size", nameof(mask));
        }
    }

    /// <summary>The input's packed model-space latent (1, L, 64) from the package's vae_encoder (<c>_encode_vae_image</c>).</summary>
    private float[] EncodeImage(InputImage image, ImageSize size, CancellationToken cancellationToken)
    {
        using (Stage(ModelComponent.VaeEncoder, out var encoder))
        {
            return VaeEncoding.Encode(encoder, Package.Io[ModelComponent.VaeEncoder], image.Rgb, size, Package.VaeScale, Package.VaeShift, cancellationToken);
        }
    }

    /// <summary>
    /// In place, for each image b of the batch: x_b = t0·noise_b + (1 − t0)·x0, <c>prepare_latents</c>' <c>scale_noise</c> of the
    /// image latent with the seed's noise (which <paramref name="x"/> holds on entry) at the first kept time t0.
    /// </summary>
    private static void StartFromImage(float[] x, float[] imageLatent, double t0, int images, ImageSize size)
    {
        for (int b = 0; b < images; b++)
        {
            var item = x.AsSpan(b * size.PackedLength, size.PackedLength);   // (L, 64)
            ImageToImage.StartLatent(imageLatent, item, t0, item);
        }
    }

    /// <summary>Repaint flags (0/1) as the luminance bytes <see cref="Inpainting.PackedMask"/> binarizes (white = repaint).</summary>
    private static byte[] RepaintLuminance(InputImageMask mask) => [.. mask.Repaint.Select(r => r == 0 ? (byte)0 : byte.MaxValue)];

    /// <summary>The reset after every inpainting step, for each image of the batch with its own noise.</summary>
    private sealed class InpaintingBlend(float[] imageLatent, float[] noise, float[] packedMask, int images)
    {
        public void Apply(float[] x, double tNext)
        {
            int length = imageLatent.Length;   // L·64
            for (int b = 0; b < images; b++)
            {
                Inpainting.Blend(x.AsSpan(b * length, length), imageLatent, noise.AsSpan(b * length, length), packedMask, tNext);
            }
        }
    }
}
