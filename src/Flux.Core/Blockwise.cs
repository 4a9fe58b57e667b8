using System.Numerics.Tensors;
using System.Runtime.CompilerServices;

namespace Flux.Core;

/// <summary>
/// TensorPrimitives over cache-sized blocks. For spans above 256 KiB TensorPrimitives writes with
/// non-temporal stores, which push the state out of the cache just before the next stage reads it;
/// in place on a 1 MiB latent that made the Euler update 5x slower than a copy (see docs/benchmarks.md).
/// Blocks of <see cref="BlockLength"/> floats stay below that threshold and in the cache.
/// </summary>
internal static class Blockwise
{
    /// <summary>Floats per block (32 KiB).</summary>
    public const int BlockLength = 8192;

    /// <summary>destination = x * y + addend, block by block (destination may be x or addend).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]   // runs once per image or step: tier-0 code would be several times slower
    public static void MultiplyAdd(ReadOnlySpan<float> x, float y, ReadOnlySpan<float> addend, Span<float> destination)
    {
        CheckLengths(x.Length, addend.Length, destination.Length);
        for (int start = 0; start < x.Length; start += BlockLength)
        {
            int n = Math.Min(BlockLength, x.Length - start);
            TensorPrimitives.MultiplyAdd(x.Slice(start, n), y, addend.Slice(start, n), destination.Slice(start, n));
        }
    }

    /// <summary>destination = x / y + addend, block by block (destination may be x).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]   // runs once per image or step: tier-0 code would be several times slower
    public static void DivideAdd(ReadOnlySpan<float> x, float y, float addend, Span<float> destination)
    {
        CheckLengths(x.Length, destination.Length, destination.Length);
        for (int start = 0; start < x.Length; start += BlockLength)
        {
            int n = Math.Min(BlockLength, x.Length - start);
            TensorPrimitives.Divide(x.Slice(start, n), y, destination.Slice(start, n));
            TensorPrimitives.Add(destination.Slice(start, n), addend, destination.Slice(start, n));
        }
    }

    /// <summary>
    /// The RK4 update x &lt;- x + h/6 (k1 + 2 k2 + 2 k3 + k4), block by block, using <paramref name="scratch"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]   // runs once per image or step: tier-0 code would be several times slower
    public static void RungeKutta4Update(Span<float> x, float h, ReadOnlySpan<float> k1, ReadOnlySpan<float> k2,
        ReadOnlySpan<float> k3, ReadOnlySpan<float> k4, Span<float> scratch)
    {
        CheckLengths(x.Length, k1.Length, scratch.Length);
        for (int start = 0; start < x.Length; start += BlockLength)
        {
            int n = Math.Min(BlockLength, x.Length - start);
            Span<float> s = scratch.Slice(start, n);
            TensorPrimitives.Add(k2.Slice(start, n), k3.Slice(start, n), s);           // k2 + k3
            TensorPrimitives.MultiplyAdd(s, 2f, k1.Slice(start, n), s);                 // k1 + 2 k2 + 2 k3
            TensorPrimitives.Add(s, k4.Slice(start, n), s);                             // ... + k4
            TensorPrimitives.MultiplyAdd(s, h / 6, x.Slice(start, n), x.Slice(start, n));
        }
    }

    /// <summary>The Heun update x &lt;- x + h/2 (k1 + k2), block by block; k2 is overwritten with k1 + k2.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]   // runs once per image or step: tier-0 code would be several times slower
    public static void HeunUpdate(Span<float> x, float h, ReadOnlySpan<float> k1, Span<float> k2)
    {
        CheckLengths(x.Length, k1.Length, k2.Length);
        for (int start = 0; start < x.Length; start += BlockLength)
        {
            int n = Math.Min(BlockLength, x.Length - start);
            Span<float> sum = k2.Slice(start, n);
            TensorPrimitives.Add(k1.Slice(start, n), sum, sum);                         // k1 + k2
            TensorPrimitives.MultiplyAdd(sum, h / 2, x.Slice(start, n), x.Slice(start, n));
        }
    }

    private static void CheckLengths(int a, int b, int c)
    {
        if (a != b || a != c)
        {
            throw new ArgumentException($"span lengths differ: {a}, {b}, {c}");
        }
    }
}
