using System.Text;

namespace Flux.ModelBuilder.Onnx;

/// <summary>
/// Deterministic pseudo-random weights: each tensor gets its own SplitMix64 stream seeded from the
/// package seed and the tensor's name (FNV-1a), so values do not depend on the order tensors are made.
/// </summary>
internal sealed class WeightSource(ulong seed)
{
    private const ulong FnvOffset = 14695981039346656037UL;
    private const ulong FnvPrime = 1099511628211UL;

    public ulong Seed { get; } = seed;

    /// <summary>Uniform(-bound, bound) values, PyTorch's default Linear/Conv range is bound = 1/sqrt(fan_in).</summary>
    public float[] Uniform(string name, long count, double bound)
    {
        var values = new float[count];
        var state = Seed ^ Fnv1a(name);
        for (long i = 0; i < count; i++)
        {
            values[i] = (float)((NextUnit(ref state) * 2.0 - 1.0) * bound);
        }

        return values;
    }

    /// <summary>Norm scales near one (BFL initialises them to exactly one; a spread makes them observable).</summary>
    public float[] NearOne(string name, long count, double spread = 0.1)
    {
        var values = Uniform(name, count, spread);
        for (long i = 0; i < count; i++)
        {
            values[i] += 1f;
        }

        return values;
    }

    private static double NextUnit(ref ulong state)
    {
        state += 0x9E3779B97F4A7C15UL;
        var z = state;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        z ^= z >> 31;
        return (z >> 11) * (1.0 / (1UL << 53));
    }

    private static ulong Fnv1a(string text)
    {
        var hash = FnvOffset;
        foreach (var b in Encoding.UTF8.GetBytes(text))
        {
            hash = (hash ^ b) * FnvPrime;
        }

        return hash;
    }
}
