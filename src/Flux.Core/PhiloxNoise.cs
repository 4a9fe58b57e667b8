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
/// and rounded to float. Elements are in the unpacked (16, H/8, W/8) order of the image.
/// <para>
/// What is guaranteed: the Philox words and the uniforms are exact everywhere. With SIMD (Vector512 or
/// System.Numerics.Vector) the double log, sqrt and sin/cos are .NET's vectorized functions, which may
/// differ from Math.Log and Math.SinCos in the last bit of the double; rounded to float, an element then
/// differs from the definition above by at most one float ulp, in rare elements (measured: none of the
/// 262,144 elements of a 1024x1024 image, at both vector widths; see PhiloxNoiseVectorTests). Without SIMD
/// it is the definition itself. In one process an element's value is the same whatever the batch size,
/// the chunking, the offset and the thread count: elements are always computed in aligned groups of 512
/// with one vector width. Across machines, vector widths and .NET versions the normals agree as far as
/// their double-precision log, sin and cos do.
/// </para>
/// </remarks>
public static class PhiloxNoise
{
    internal const uint M0 = 0xD2511F53;
    internal const uint M1 = 0xCD9E8D57;
    internal const uint W0 = 0x9E3779B9;   // golden ratio
    internal const uint W1 = 0xBB67AE85;   // sqrt(3) - 1
    internal const int Rounds = 10;

    /// <summary>
    /// Fills <paramref name="destination"/> with elements [firstElement, firstElement + length) of image
    /// <paramref name="imageIndex"/>'s standard-normal noise for <paramref name="seed"/>, on the calling thread.
    /// </summary>
    /// <remarks>
    /// One thread: inside a generation, a two-worker split (removed) took 1.7 to 2.2 ms for a 1024x1024 fill
    /// against 0.8 to 1.2 ms here, because waking pool threads between ONNX Runtime runs cost more than the
    /// split saved (`overhead` runs of the perf harness). Callers may still fill chunks on their own threads:
    /// the values do not depend on the chunking.
    /// </remarks>
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

        FillGroups(seed, (ulong)imageIndex, destination, firstElement);
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

    /// <summary>Group by group; groups the span covers only in part are computed whole and copied from.</summary>
    private static void FillGroups(ulong seed, ulong imageIndex, Span<float> destination, long firstElement)
    {
        Span<float> partial = stackalloc float[PhiloxGroup.Elements];
        long element = firstElement;
        for (int k = 0; k < destination.Length;)
        {
            long group = element / PhiloxGroup.Elements;
            int offset = (int)(element % PhiloxGroup.Elements);
            int count = Math.Min(PhiloxGroup.Elements - offset, destination.Length - k);
            if (count == PhiloxGroup.Elements)
            {
                PhiloxGroup.Normals(seed, imageIndex, (ulong)group, destination.Slice(k, count));
            }
            else
            {
                PhiloxGroup.Normals(seed, imageIndex, (ulong)group, partial);
                partial.Slice(offset, count).CopyTo(destination[k..]);
            }

            k += count;
            element += count;
        }
    }
}
