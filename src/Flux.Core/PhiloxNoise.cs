using System.Globalization;

namespace Flux.Core;

/// <summary>
/// Counter-based Gaussian noise: Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as
/// 1, 2, 3", SC'11; the Random123 constants) keyed by the seed, with Box-Muller to standard normals.
/// </summary>
/// <remarks>
/// Layout: element e of image i is lane (e mod 4) of the Philox block with
/// key = (seed low 32 bits, seed high 32 bits) and counter = (e/4 low, e/4 high, i low, i high).
/// The block's four 32-bit words become uniforms u_k = (w_k + 0.5) / 2^32 in (0, 1); lanes 0,1 are
/// the Box-Muller pair of (u0, u1) and lanes 2,3 the pair of (u2, u3):
/// z_even = sqrt(-2 ln u_a) cos(2 pi u_b), z_odd = sqrt(-2 ln u_a) sin(2 pi u_b), computed in double
/// and rounded to float. So image i of a seed is the same whatever the batch size, the chunking and the
/// thread count. The integer part is exact everywhere; across machines the normals agree as far as the
/// platforms' double-precision log, sin and cos do, and rounding to float hides their last-bit
/// differences in all but rare cases. Elements are in the unpacked (16, H/8, W/8) order of the image.
/// </remarks>
public static class PhiloxNoise
{
    private const uint M0 = 0xD2511F53;
    private const uint M1 = 0xCD9E8D57;
    private const uint W0 = 0x9E3779B9;   // golden ratio
    private const uint W1 = 0xBB67AE85;   // sqrt(3) - 1
    private const int Rounds = 10;
    private const int Lanes = 4;
    private const double TwoToMinus32 = 1.0 / 4294967296.0;

    /// <summary>
    /// Fills <paramref name="destination"/> with elements [firstElement, firstElement + length) of image
    /// <paramref name="imageIndex"/>'s standard-normal noise for <paramref name="seed"/>.
    /// </summary>
    public static void Fill(ulong seed, long imageIndex, Span<float> destination, long firstElement = 0)
    {
        if (imageIndex < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(imageIndex), string.Create(CultureInfo.InvariantCulture, $"image index {imageIndex} must not be negative"));
        }

        if (firstElement < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(firstElement), string.Create(CultureInfo.InvariantCulture, $"first element {firstElement} must not be negative"));
        }

        Span<float> normals = stackalloc float[Lanes];
        long blockIndex = -1;
        for (int k = 0; k < destination.Length; k++)
        {
            long element = firstElement + k;
            long block = element / Lanes;
            if (block != blockIndex)
            {
                blockIndex = block;
                NormalBlock(seed, (ulong)imageIndex, (ulong)block, normals);
            }

            destination[k] = normals[(int)(element % Lanes)];
        }
    }

    /// <summary>The four standard normals of counter block <paramref name="block"/> of an image.</summary>
    public static void NormalBlock(ulong seed, ulong imageIndex, ulong block, Span<float> normals)
    {
        var (w0, w1, w2, w3) = Philox4x32(
            (uint)block, (uint)(block >> 32), (uint)imageIndex, (uint)(imageIndex >> 32),
            (uint)seed, (uint)(seed >> 32));
        BoxMuller(w0, w1, out normals[0], out normals[1]);
        BoxMuller(w2, w3, out normals[2], out normals[3]);
    }

    /// <summary>Philox4x32 with 10 rounds: the bijection of counter (c0..c3) under key (k0, k1).</summary>
    public static (uint, uint, uint, uint) Philox4x32(uint c0, uint c1, uint c2, uint c3, uint k0, uint k1)
    {
        for (int round = 0; round < Rounds; round++)
        {
            if (round > 0)
            {
                k0 += W0;
                k1 += W1;
            }

            ulong p0 = (ulong)M0 * c0;
            ulong p1 = (ulong)M1 * c2;
            (c0, c1, c2, c3) = ((uint)(p1 >> 32) ^ c1 ^ k0, (uint)p1, (uint)(p0 >> 32) ^ c3 ^ k1, (uint)p0);
        }

        return (c0, c1, c2, c3);
    }

    private static void BoxMuller(uint a, uint b, out float z0, out float z1)
    {
        double u1 = (a + 0.5) * TwoToMinus32;   // (0, 1): log is finite
        double u2 = (b + 0.5) * TwoToMinus32;
        double r = Math.Sqrt(-2.0 * Math.Log(u1));
        (double sin, double cos) = Math.SinCos(2.0 * Math.PI * u2);
        z0 = (float)(r * cos);
        z1 = (float)(r * sin);
    }
}
