using Flux.Core;
using Flux.Inference.Packages;
using Flux.Inference.Sessions;
using Flux.Inference.Tensors;

namespace Flux.Inference.Stages;

/// <summary>Packed latents -> unpack -> z/scale + shift -> VAE decoder -> RGB bytes per image.</summary>
internal static class VaeDecoding
{
    private const int RgbChannels = 3;
    private const float PixelHalfRange = 127.5f;
    private const float MaxPixel = 255f;

    /// <summary>Decodes (B, L, 64) latents to B images of H*W*3 bytes (row-major RGB).</summary>
    public static byte[][] Decode(ModelSession vae, ComponentIo io, ReadOnlySpan<float> packed, ImageSize size, int batch, float vaeScale, float vaeShift, CancellationToken cancellationToken)
    {
        float[] latent = new float[batch * size.LatentLength];   // (B, 16, H/8, W/8)
        LatentLayout.Unpack(packed, latent, size, batch);
        VaeScaling.ToDecoderInput(latent, latent, vaeScale, vaeShift);
        var input = io[IoContract.Latent];
        using var buffer = TensorBuffer.Allocate(input.ElementType, batch, FluxConstants.LatentChannels, size.LatentHeight, size.LatentWidth);
        buffer.Write(latent);
        var output = io[IoContract.Image];
        using var pixels = TensorBuffer.Allocate(output.ElementType, batch, RgbChannels, size.Height, size.Width);   // (B, 3, H, W) in [-1, 1]
        OneShotRun.RunInto(vae, [(input, buffer)], output, pixels, cancellationToken);
        ReadOnlySpan<float> planes = pixels.ElementType == Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.Float
            ? pixels.Value.GetTensorDataAsSpan<float>()
            : Converted(pixels);
        int planeLength = size.Height * size.Width;
        var images = new byte[batch][];
        for (int b = 0; b < batch; b++)
        {
            images[b] = new byte[planeLength * RgbChannels];
            ToRgb(planes.Slice(b * planeLength * RgbChannels, planeLength * RgbChannels), planeLength, images[b]);
        }

        return images;
    }

    private static float[] Converted(TensorBuffer buffer)
    {
        float[] values = new float[buffer.ElementCount];
        buffer.Read(values);
        return values;
    }

    /// <summary>(3, H, W) in [-1, 1] -> (H, W, 3) bytes: clamp((x + 1) * 127.5, 0, 255), truncated as BFL's reference does.</summary>
    public static void ToRgb(ReadOnlySpan<float> planes, int planeLength, Span<byte> rgb)
    {
        for (int c = 0; c < RgbChannels; c++)
        {
            var plane = planes.Slice(c * planeLength, planeLength);
            for (int p = 0; p < planeLength; p++)
            {
                float value = Math.Clamp((plane[p] + 1f) * PixelHalfRange, 0f, MaxPixel);
                rgb[(p * RgbChannels) + c] = (byte)value;
            }
        }
    }
}
