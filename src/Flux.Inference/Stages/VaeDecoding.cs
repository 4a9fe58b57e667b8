using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Flux.Core;
using Flux.Inference.Packages;
using Flux.Inference.Sessions;
using Flux.Inference.Tensors;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Flux.Inference.Stages;

/// <summary>Packed latents -> unpack -> z/scale + shift -> VAE decoder -> RGB bytes per image.</summary>
internal static class VaeDecoding
{
    private const int RgbChannels = 3;
    private const float PixelHalfRange = 127.5f;
    private const float MaxPixel = 255f;

    /// <summary>Decodes (B, L, 64) latents to B images of H*W*3 bytes (row-major RGB) in arrays from <paramref name="allocatePixels"/>.</summary>
    public static byte[][] Decode(ModelSession vae, ComponentIo io, ReadOnlySpan<float> packed, ImageSize size, int batch, float vaeScale, float vaeShift, Func<int, byte[]> allocatePixels, CancellationToken cancellationToken)
    {
        var input = io[IoContract.Latent];
        using var buffer = TensorBuffer.Allocate(input.ElementType, batch, FluxConstants.LatentChannels, size.LatentHeight, size.LatentWidth);
        if (buffer.ElementType == TensorElementType.Float)
        {
            ToDecoderInput(packed, buffer.Value.GetTensorMutableDataAsSpan<float>(), size, batch, vaeScale, vaeShift);   // straight into the bound tensor
        }
        else
        {
            float[] rented = ArrayPool<float>.Shared.Rent(batch * size.LatentLength);
            try
            {
                var latent = rented.AsSpan(0, batch * size.LatentLength);
                ToDecoderInput(packed, latent, size, batch, vaeScale, vaeShift);
                buffer.Write(latent);
            }
            finally
            {
                ArrayPool<float>.Shared.Return(rented);
            }
        }

        var output = io[IoContract.Image];
        using var pixels = TensorBuffer.Allocate(output.ElementType, batch, RgbChannels, size.Height, size.Width);   // (B, 3, H, W) in [-1, 1]
        OneShotRun.RunInto(vae, [(input, buffer)], output, pixels, cancellationToken);
        ReadOnlySpan<float> planes = pixels.ElementType == TensorElementType.Float ? pixels.Value.GetTensorDataAsSpan<float>() : Converted(pixels);   // (B, 3, H, W)
        int planeLength = size.Height * size.Width;
        int imageLength = planeLength * RgbChannels;
        var images = new byte[batch][];
        for (int b = 0; b < batch; b++)
        {
            images[b] = allocatePixels(imageLength);   // every byte is written below
            ToRgb(planes.Slice(b * imageLength, imageLength), planeLength, images[b]);
        }

        return images;
    }

    /// <summary>(B, L, 64) -> (B, 16, H/8, W/8) scaled for the decoder: z / scale + shift.</summary>
    private static void ToDecoderInput(ReadOnlySpan<float> packed, Span<float> latent, ImageSize size, int batch, float vaeScale, float vaeShift)
    {
        LatentLayout.Unpack(packed, latent, size, batch);
        VaeScaling.ToDecoderInput(latent, latent, vaeScale, vaeShift);
    }

    private static float[] Converted(TensorBuffer buffer)
    {
        float[] values = new float[buffer.ElementCount];
        buffer.Read(values);
        return values;
    }

    /// <summary>(3, H, W) in [-1, 1] -> (H, W, 3) bytes: clamp((x + 1) * 127.5, 0, 255), truncated as BFL's reference does.</summary>
    /// <remarks>
    /// Converts blocks of pixels channel by channel with 256-bit vectors (the same float operations in the same
    /// order as <see cref="ToByte"/>, so the bytes are identical), then interleaves the three channels. Measured
    /// at 1024x1024: ~2.5 ms against ~10 ms for the per-element loop; TensorPrimitives' float -> byte
    /// conversion has no vector path and was slower than the loop.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]   // runs once per image: tier-0 code would be several times slower
    public static void ToRgb(ReadOnlySpan<float> planes, int planeLength, Span<byte> rgb)
    {
        if (planes.Length != planeLength * RgbChannels || rgb.Length != planeLength * RgbChannels)
        {
            throw new ArgumentException($"{planes.Length} plane values and {rgb.Length} bytes do not hold {planeLength} RGB pixels");
        }

        Span<byte> channels = stackalloc byte[RgbChannels * PixelBlock];   // (3, block)
        for (int start = 0; start < planeLength; start += PixelBlock)
        {
            int count = Math.Min(PixelBlock, planeLength - start);
            for (int c = 0; c < RgbChannels; c++)
            {
                ToBytes(planes.Slice((c * planeLength) + start, count), channels.Slice(c * PixelBlock, count));
            }

            Interleave(channels[..count], channels.Slice(PixelBlock, count), channels.Slice(2 * PixelBlock, count), rgb.Slice(start * RgbChannels, count * RgbChannels));
        }
    }

    private const int PixelBlock = 4096;

    private static byte ToByte(float value) => (byte)Math.Clamp((value + 1f) * PixelHalfRange, 0f, MaxPixel);

    /// <summary>One channel: <see cref="ToByte"/> of every value, 32 at a time.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]   // runs once per image: tier-0 code would be several times slower
    private static void ToBytes(ReadOnlySpan<float> values, Span<byte> bytes)
    {
        var one = Vector256.Create(1f);
        var halfRange = Vector256.Create(PixelHalfRange);
        var max = Vector256.Create(MaxPixel);
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            for (; i + (4 * Vector256<float>.Count) <= values.Length; i += 4 * Vector256<float>.Count)
            {
                var a = Quantize(values.Slice(i, Vector256<float>.Count));
                var b = Quantize(values.Slice(i + Vector256<float>.Count, Vector256<float>.Count));
                var c = Quantize(values.Slice(i + (2 * Vector256<float>.Count), Vector256<float>.Count));
                var d = Quantize(values.Slice(i + (3 * Vector256<float>.Count), Vector256<float>.Count));
                Vector256.Narrow(Vector256.Narrow(a, b).AsUInt16(), Vector256.Narrow(c, d).AsUInt16()).CopyTo(bytes.Slice(i, Vector256<byte>.Count));
            }
        }

        for (; i < values.Length; i++)
        {
            bytes[i] = ToByte(values[i]);
        }

        Vector256<int> Quantize(ReadOnlySpan<float> eight) =>
            Vector256.ConvertToInt32(Vector256.Min(Vector256.Max((Vector256.Create(eight) + one) * halfRange, Vector256<float>.Zero), max));
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]   // runs once per image: tier-0 code would be several times slower
    private static void Interleave(ReadOnlySpan<byte> r, ReadOnlySpan<byte> g, ReadOnlySpan<byte> b, Span<byte> rgb)
    {
        for (int p = 0; p < r.Length; p++)
        {
            rgb[p * RgbChannels] = r[p];
            rgb[(p * RgbChannels) + 1] = g[p];
            rgb[(p * RgbChannels) + 2] = b[p];
        }
    }
}
