using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

[assembly: InternalsVisibleTo("Flux.Core.Tests")]
[assembly: InternalsVisibleTo("Flux.Benchmarks")]

namespace Flux.Core;

/// <summary>
/// The noise of one aligned group of <see cref="Elements"/> elements (group g holds elements
/// [g * Elements, (g + 1) * Elements) of an image), many Philox blocks at a time with SIMD.
/// </summary>
/// <remarks>
/// Every element of every group goes through the same vector operations (the width is fixed per
/// process), so an element's value never depends on which part of the image a caller asks for.
/// Vector lanes hold 32-bit words in ulongs, so M * c is the full 64-bit Philox product. Block j's words
/// are packed as a = w0 | w2 &lt;&lt; 32 and b = w1 | w3 &lt;&lt; 32: read as uints, a and b are the
/// Box-Muller pairs (u_a, u_b) in element order, and each pair's two normals, rounded to float, pack
/// into one ulong of the output. The kernels are compiled fully optimised on first use: the noise is
/// made once per image, so tier-0 code (several times slower for vector math) would otherwise run
/// for many images of a process.
/// </remarks>
internal static class PhiloxGroup
{
    /// <summary>Elements per group: 128 Philox blocks (a multiple of every vector width).</summary>
    public const int Elements = 512;

    /// <summary>Philox blocks per group (four elements each).</summary>
    public const int Blocks = Elements / Lanes;

    private const int Lanes = 4;
    private const ulong Low32 = 0xFFFF_FFFF;
    private const double TwoToMinus32 = 1.0 / 4294967296.0;
    private const double TwoPi = 2.0 * Math.PI;

    /// <summary>Standard normals of group <paramref name="group"/> into <paramref name="normals"/> (length <see cref="Elements"/>).</summary>
    public static void Normals(ulong seed, ulong imageIndex, ulong group, Span<float> normals)
    {
        if (Vector512.IsHardwareAccelerated && BitConverter.IsLittleEndian)
        {
            Normals512(seed, imageIndex, group * Blocks, normals);
        }
        else if (Vector.IsHardwareAccelerated && BitConverter.IsLittleEndian)
        {
            NormalsVector(seed, imageIndex, group * Blocks, normals);
        }
        else
        {
            NormalsScalar(seed, imageIndex, group * Blocks, normals);
        }
    }

    /// <summary>The definition, block by block: Philox4x32 and Box-Muller with Math.Log and Math.SinCos.</summary>
    internal static void NormalsScalar(ulong seed, ulong imageIndex, ulong firstBlock, Span<float> normals)
    {
        for (int j = 0; j < Blocks; j++)
        {
            ulong block = firstBlock + (ulong)j;
            var (w0, w1, w2, w3) = PhiloxNoise.Philox4x32(
                (uint)block, (uint)(block >> 32), (uint)imageIndex, (uint)(imageIndex >> 32), (uint)seed, (uint)(seed >> 32));
            (normals[4 * j], normals[(4 * j) + 1]) = BoxMuller(w0, w1);
            (normals[(4 * j) + 2], normals[(4 * j) + 3]) = BoxMuller(w2, w3);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Normals512(ulong seed, ulong imageIndex, ulong firstBlock, Span<float> normals)
    {
        Span<ulong> pairs = MemoryMarshal.Cast<float, ulong>(normals);   // (z_even, z_odd) per pair
        int step = Vector512<ulong>.Count;
        for (int j = 0; j < Blocks; j += step)
        {
            var (a, b) = Philox512(seed, imageIndex, firstBlock + (ulong)j);
            var (aLow, aHigh) = Vector512.Widen(a.AsUInt32());   // pairs 0..7 and 8..15 of these blocks
            var (bLow, bHigh) = Vector512.Widen(b.AsUInt32());
            var (evenLow, oddLow) = BoxMuller(aLow, bLow);
            var (evenHigh, oddHigh) = BoxMuller(aHigh, bHigh);
            var (even0, even1) = Vector512.Widen(Vector512.Narrow(evenLow, evenHigh).AsUInt32());
            var (odd0, odd1) = Vector512.Widen(Vector512.Narrow(oddLow, oddHigh).AsUInt32());
            (even0 | (odd0 << 32)).CopyTo(pairs[(2 * j)..]);
            (even1 | (odd1 << 32)).CopyTo(pairs[((2 * j) + step)..]);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void NormalsVector(ulong seed, ulong imageIndex, ulong firstBlock, Span<float> normals)
    {
        Span<ulong> pairs = MemoryMarshal.Cast<float, ulong>(normals);
        int step = Vector<ulong>.Count;
        for (int j = 0; j < Blocks; j += step)
        {
            var (a, b) = PhiloxVector(seed, imageIndex, firstBlock + (ulong)j);
            Vector.Widen(Vector.AsVectorUInt32(a), out Vector<ulong> aLow, out Vector<ulong> aHigh);
            Vector.Widen(Vector.AsVectorUInt32(b), out Vector<ulong> bLow, out Vector<ulong> bHigh);
            var (evenLow, oddLow) = BoxMuller(aLow, bLow);
            var (evenHigh, oddHigh) = BoxMuller(aHigh, bHigh);
            Vector.Widen(Vector.AsVectorUInt32(Vector.Narrow(evenLow, evenHigh)), out Vector<ulong> even0, out Vector<ulong> even1);
            Vector.Widen(Vector.AsVectorUInt32(Vector.Narrow(oddLow, oddHigh)), out Vector<ulong> odd0, out Vector<ulong> odd1);
            (even0 | (odd0 << 32)).CopyTo(pairs[(2 * j)..]);
            (even1 | (odd1 << 32)).CopyTo(pairs[((2 * j) + step)..]);
        }
    }

    /// <summary>
    /// <see cref="PhiloxNoise.Philox4x32"/> of Vector512&lt;ulong&gt;.Count consecutive blocks from
    /// <paramref name="firstBlock"/>, packed per block as a = w0 | w2 &lt;&lt; 32, b = w1 | w3 &lt;&lt; 32.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static (Vector512<ulong> A, Vector512<ulong> B) Philox512(ulong seed, ulong imageIndex, ulong firstBlock)
    {
        var low = Vector512.Create(Low32);
        var block = Vector512.Create(firstBlock) + Vector512<ulong>.Indices;
        Vector512<ulong> c0 = block & low, c1 = block >> 32;
        Vector512<ulong> c2 = Vector512.Create(imageIndex & Low32), c3 = Vector512.Create(imageIndex >> 32);
        uint k0 = (uint)seed, k1 = (uint)(seed >> 32);
        for (int round = 0; round < PhiloxNoise.Rounds; round++)
        {
            if (round > 0)
            {
                k0 += PhiloxNoise.W0;
                k1 += PhiloxNoise.W1;
            }

            Vector512<ulong> p0 = c0 * PhiloxNoise.M0, p1 = c2 * PhiloxNoise.M1;
            (c0, c1, c2, c3) = ((p1 >> 32) ^ c1 ^ Vector512.Create((ulong)k0), p1 & low, (p0 >> 32) ^ c3 ^ Vector512.Create((ulong)k1), p0 & low);
        }

        return (c0 | (c2 << 32), c1 | (c3 << 32));
    }

    /// <summary>As <see cref="Philox512"/> on System.Numerics.Vector (256 bits on AVX2, 128 on Arm64).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static (Vector<ulong> A, Vector<ulong> B) PhiloxVector(ulong seed, ulong imageIndex, ulong firstBlock)
    {
        var low = new Vector<ulong>(Low32);
        var block = new Vector<ulong>(firstBlock) + Vector<ulong>.Indices;
        Vector<ulong> c0 = block & low, c1 = block >> 32;
        Vector<ulong> c2 = new(imageIndex & Low32), c3 = new(imageIndex >> 32);
        uint k0 = (uint)seed, k1 = (uint)(seed >> 32);
        for (int round = 0; round < PhiloxNoise.Rounds; round++)
        {
            if (round > 0)
            {
                k0 += PhiloxNoise.W0;
                k1 += PhiloxNoise.W1;
            }

            Vector<ulong> p0 = c0 * PhiloxNoise.M0, p1 = c2 * PhiloxNoise.M1;
            (c0, c1, c2, c3) = ((p1 >> 32) ^ c1 ^ new Vector<ulong>(k0), p1 & low, (p0 >> 32) ^ c3 ^ new Vector<ulong>(k1), p0 & low);
        }

        return (c0 | (c2 << 32), c1 | (c3 << 32));
    }

    // z_even = sqrt(-2 ln u_a) cos(2 pi u_b), z_odd = sqrt(-2 ln u_a) sin(2 pi u_b), u = (w + 0.5) / 2^32.
    private static (float Even, float Odd) BoxMuller(uint a, uint b)
    {
        double r = Math.Sqrt(-2.0 * Math.Log((a + 0.5) * TwoToMinus32));
        (double sin, double cos) = Math.SinCos(TwoPi * ((b + 0.5) * TwoToMinus32));
        return ((float)(r * cos), (float)(r * sin));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector512<double> Even, Vector512<double> Odd) BoxMuller(Vector512<ulong> a, Vector512<ulong> b)
    {
        var r = Vector512.Sqrt(Vector512.Log((Vector512.ConvertToDouble(a) + Vector512.Create(0.5)) * TwoToMinus32) * -2.0);
        var (sin, cos) = Vector512.SinCos((Vector512.ConvertToDouble(b) + Vector512.Create(0.5)) * TwoToMinus32 * TwoPi);
        return (r * cos, r * sin);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector<double> Even, Vector<double> Odd) BoxMuller(Vector<ulong> a, Vector<ulong> b)
    {
        var r = Vector.SquareRoot(Vector.Log((Vector.ConvertToDouble(a) + new Vector<double>(0.5)) * TwoToMinus32) * -2.0);
        var (sin, cos) = Vector.SinCos((Vector.ConvertToDouble(b) + new Vector<double>(0.5)) * TwoToMinus32 * TwoPi);
        return (r * cos, r * sin);
    }
}
