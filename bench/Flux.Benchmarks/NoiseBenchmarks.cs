using BenchmarkDotNet.Attributes;
using Flux.Core;

namespace Flux.Benchmarks;

/// <summary>
/// One image's latent noise (16, H/8, W/8) through <see cref="PhiloxNoise.Fill"/> next to the scalar algorithm it replaced (block by block, Math.Log and
/// Math.SinCos; kept here verbatim as the baseline). Ratio = time / time(scalar baseline).
/// </summary>
[MemoryDiagnoser]
[ShortRunJob]
public class NoiseBenchmarks
{
    private float[] _noise = [];

    [Params(512, 1024)]
    public int Size { get; set; }

    [GlobalSetup]
    public void Setup() => _noise = new float[ImageSize.Create(Size, Size).LatentLength];

    [Benchmark(Baseline = true, Description = "scalar (before)")]
    public void Scalar() => ScalarBaseline.Fill(7, 0, _noise);

    [Benchmark(Description = "SIMD, 1 thread")]
    public void SimdOneThread() => PhiloxNoise.Fill(7, 0, _noise);

    /// <summary>The former PhiloxNoise.Fill: one Philox block and two scalar Box-Muller pairs per 4 elements.</summary>
    private static class ScalarBaseline
    {
        private const int Lanes = 4;
        private const double TwoToMinus32 = 1.0 / 4294967296.0;

        public static void Fill(ulong seed, long imageIndex, Span<float> destination, long firstElement = 0)
        {
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

        private static void NormalBlock(ulong seed, ulong imageIndex, ulong block, Span<float> normals)
        {
            var (w0, w1, w2, w3) = PhiloxNoise.Philox4x32(
                (uint)block, (uint)(block >> 32), (uint)imageIndex, (uint)(imageIndex >> 32),
                (uint)seed, (uint)(seed >> 32));
            BoxMuller(w0, w1, out normals[0], out normals[1]);
            BoxMuller(w2, w3, out normals[2], out normals[3]);
        }

        private static void BoxMuller(uint a, uint b, out float z0, out float z1)
        {
            double u1 = (a + 0.5) * TwoToMinus32;
            double u2 = (b + 0.5) * TwoToMinus32;
            double r = Math.Sqrt(-2.0 * Math.Log(u1));
            (double sin, double cos) = Math.SinCos(2.0 * Math.PI * u2);
            z0 = (float)(r * cos);
            z1 = (float)(r * sin);
        }
    }
}
