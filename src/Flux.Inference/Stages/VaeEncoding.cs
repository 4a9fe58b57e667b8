using Flux.Core;
using Flux.Inference.Imaging;
using Flux.Inference.Packages;
using Flux.Inference.Sessions;
using Flux.Inference.Tensors;

namespace Flux.Inference.Stages;

/// <summary>
/// RGB bytes -> [-1, 1] planes -> VAE encoder -> posterior mean -> (z - shift) * scale -> packed model-space latent,
/// as diffusers' FluxImg2ImgPipeline prepares its image (image_processor.preprocess, <c>_encode_vae_image</c>,
/// <c>_pack_latents</c>). The mean is <c>latent_sample</c> in our packages, the first 16 of the 32 channels of
/// optimum's <c>latent_parameters</c> (mean, then log-variance).
/// </summary>
internal static class VaeEncoding
{
    private const int RgbChannels = 3;

    /// <summary>(H, W, 3) row-major RGB bytes of one image -> (1, L, 64) packed, scaled latent.</summary>
    public static float[] Encode(ModelSession encoder, ComponentIo io, ReadOnlySpan<byte> rgb, ImageSize size, float vaeScale, float vaeShift, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(io);
        int planeLength = size.Width * size.Height;
        if (rgb.Length != planeLength * RgbChannels)
        {
            throw new ArgumentException($"the image has {rgb.Length} bytes; a {size.Width}x{size.Height} RGB image has {planeLength * RgbChannels}", nameof(rgb));
        }

        var input = io[IoContract.Image];
        using var pixels = TensorBuffer.Allocate(input.ElementType, 1, RgbChannels, size.Height, size.Width);   // (1, 3, H, W)
        pixels.Write(InputImage.ToVaeInput(rgb, size.Width, size.Height));

        bool meanAndLogVariance = !io.Has(IoContract.Latent);
        var output = io[meanAndLogVariance ? IoContract.LatentParameters : IoContract.Latent];
        var (values, shape) = OneShotRun.Run(encoder, [(input, pixels)], output, cancellationToken);
        int channels = meanAndLogVariance ? 2 * FluxConstants.LatentChannels : FluxConstants.LatentChannels;
        OneShotRun.ExpectShape(io.ModelFile, output, shape, 1, channels, size.LatentHeight, size.LatentWidth);

        var mean = values.AsSpan(0, size.LatentLength);   // (1, 16, H/8, W/8): the first 16 channels
        VaeScaling.FromEncoderOutput(mean, mean, vaeScale, vaeShift);
        var packed = new float[size.PackedLength];          // (1, L, 64)
        LatentLayout.Pack(mean, packed, size);
        return packed;
    }
}
