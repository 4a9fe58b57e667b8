using System.Globalization;
using System.Runtime.CompilerServices;

namespace Flux.Core;

/// <summary>
/// FLUX's packed latent layout and position ids (black-forest-labs/flux <c>sampling.py: prepare, unpack</c>).
/// </summary>
public static class LatentLayout
{
    /// <summary>
    /// Packs 2x2 patches into tokens: einops <c>b c (h ph) (w pw) -&gt; b (h w) (c ph pw)</c>, ph = pw = 2.
    /// (B, 16, H/8, W/8) -&gt; (B, L, 64); within a token the value index is c*4 + ph*2 + pw and the token
    /// index is row*(W/16) + col.
    /// </summary>
    public static void Pack(ReadOnlySpan<float> latent, Span<float> packed, ImageSize size, int batch = 1)
    {
        CheckLengths(latent.Length, packed.Length, size, batch, nameof(latent), nameof(packed));
        for (int b = 0; b < batch; b++)
        {
            ReadOnlySpan<float> image = latent.Slice(b * size.LatentLength, size.LatentLength);   // (16, H/8, W/8)
            Span<float> tokens = packed.Slice(b * size.PackedLength, size.PackedLength);           // (L, 64)
            Permute(image, tokens, size, toPacked: true);
        }
    }

    /// <summary>
    /// Inverse of <see cref="Pack"/>: einops <c>b (h w) (c ph pw) -&gt; b c (h ph) (w pw)</c>, ph = pw = 2.
    /// (B, L, 64) -&gt; (B, 16, H/8, W/8).
    /// </summary>
    public static void Unpack(ReadOnlySpan<float> packed, Span<float> latent, ImageSize size, int batch = 1)
    {
        CheckLengths(latent.Length, packed.Length, size, batch, nameof(latent), nameof(packed));
        for (int b = 0; b < batch; b++)
        {
            ReadOnlySpan<float> tokens = packed.Slice(b * size.PackedLength, size.PackedLength);   // (L, 64)
            Span<float> image = latent.Slice(b * size.LatentLength, size.LatentLength);            // (16, H/8, W/8)
            Permute(tokens, image, size, toPacked: false);
        }
    }

    /// <summary>Index in the packed (L, 64) layout of latent element (c, y, x) of the (16, H/8, W/8) layout.</summary>
    public static int PackedIndex(ImageSize size, int channel, int y, int x)
    {
        const int p = FluxConstants.PatchSize;
        int token = ((y / p) * size.TokenCols) + (x / p);
        int value = (channel * p * p) + ((y % p) * p) + (x % p);
        return (token * FluxConstants.PackedChannels) + value;
    }

    /// <summary><c>img_ids</c> (L, 3): row r*(W/16)+c is [0, r, c].</summary>
    public static float[] ImageIds(ImageSize size)
    {
        var ids = new float[size.SequenceLength * FluxConstants.PositionAxes];   // (L, 3)
        for (int row = 0; row < size.TokenRows; row++)
        {
            for (int col = 0; col < size.TokenCols; col++)
            {
                int token = (row * size.TokenCols) + col;
                ids[(token * FluxConstants.PositionAxes) + 1] = row;
                ids[(token * FluxConstants.PositionAxes) + 2] = col;
            }
        }

        return ids;
    }

    /// <summary><c>txt_ids</c> (T, 3): all zeros.</summary>
    public static float[] TextIds(int length)
    {
        if (length <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(length), string.Create(CultureInfo.InvariantCulture, $"text length {length} must be positive"));
        }

        return new float[length * FluxConstants.PositionAxes];   // (T, 3)
    }

    // Moves every element of one image between (16, H/8, W/8) and (L, 64), in the einops index order:
    // token (h, w) = h*(W/16) + w holds value c*4 + ph*2 + pw = latent[c, 2h + ph, 2w + pw].
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]   // runs once per image or step: tier-0 code would be several times slower
    private static void Permute(ReadOnlySpan<float> source, Span<float> destination, ImageSize size, bool toPacked)
    {
        const int p = FluxConstants.PatchSize;
        int latentHeight = size.LatentHeight, latentWidth = size.LatentWidth;
        int packedIndex = 0;
        for (int h = 0; h < size.TokenRows; h++)
        {
            for (int w = 0; w < size.TokenCols; w++)
            {
                for (int c = 0; c < FluxConstants.LatentChannels; c++)
                {
                    for (int ph = 0; ph < p; ph++)
                    {
                        int latentRow = (((c * latentHeight) + (h * p) + ph) * latentWidth) + (w * p);
                        for (int pw = 0; pw < p; pw++, packedIndex++)
                        {
                            if (toPacked)
                            {
                                destination[packedIndex] = source[latentRow + pw];
                            }
                            else
                            {
                                destination[latentRow + pw] = source[packedIndex];
                            }
                        }
                    }
                }
            }
        }
    }

    private static void CheckLengths(int latentLength, int packedLength, ImageSize size, int batch, string latentName, string packedName)
    {
        if (batch < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(batch), string.Create(CultureInfo.InvariantCulture, $"batch {batch} must be at least 1"));
        }

        long expected = (long)batch * size.LatentLength;
        if (latentLength != expected)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"{latentName} has {latentLength} floats; (B, 16, H/8, W/8) for batch {batch} at {size} needs {expected}"), latentName);
        }

        if (packedLength != expected)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"{packedName} has {packedLength} floats; (B, L, 64) for batch {batch} at {size} needs {expected}"), packedName);
        }
    }
}
