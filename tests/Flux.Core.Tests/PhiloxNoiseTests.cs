using Flux.Core;
using MathNet.Numerics.Distributions;

namespace Flux.Core.Tests;

public class PhiloxNoiseTests
{
    // Known-answer vectors of Random123 (tests/kat_vectors): counter[4], key[2] -> output[4].
    [Theory]
    [InlineData(0u, 0u, 0u, 0u, 0u, 0u, 0x6627e8d5u, 0xe169c58du, 0xbc57ac4cu, 0x9b00dbd8u)]
    [InlineData(0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu, 0x408f276du, 0x41c83b0eu, 0xa20bc7c6u, 0x6d5451fdu)]
    [InlineData(0x243f6a88u, 0x85a308d3u, 0x13198a2eu, 0x03707344u, 0xa4093822u, 0x299f31d0u, 0xd16cfe09u, 0x94fdccebu, 0x5001e420u, 0x24126ea1u)]
    public void Philox4x32_MatchesRandom123KnownAnswers(uint c0, uint c1, uint c2, uint c3, uint k0, uint k1, uint r0, uint r1, uint r2, uint r3)
        => Assert.Equal((r0, r1, r2, r3), PhiloxNoise.Philox4x32(c0, c1, c2, c3, k0, k1));

    [Fact]
    public void FirstNormals_FollowTheDocumentedBoxMullerConstruction()
    {
        // Seed 0, image 0, block 0 is the all-zero known answer: 6627e8d5 e169c58d bc57ac4c 9b00dbd8.
        var values = new float[4];
        PhiloxNoise.Fill(0, 0, values);

        static double U(uint w) => (w + 0.5) / 4294967296.0;
        double r01 = Math.Sqrt(-2 * Math.Log(U(0x6627e8d5))), r23 = Math.Sqrt(-2 * Math.Log(U(0xbc57ac4c)));
        Assert.Equal((float)(r01 * Math.Cos(2 * Math.PI * U(0xe169c58d))), values[0]);
        Assert.Equal((float)(r01 * Math.Sin(2 * Math.PI * U(0xe169c58d))), values[1]);
        Assert.Equal((float)(r23 * Math.Cos(2 * Math.PI * U(0x9b00dbd8))), values[2]);
        Assert.Equal((float)(r23 * Math.Sin(2 * Math.PI * U(0x9b00dbd8))), values[3]);
    }

    [Fact]
    public void ImageNoise_IsTheSameWhateverTheBatchSize()
    {
        const int length = 16 * 8 * 8;
        var alone = new float[length];
        PhiloxNoise.Fill(42, 2, alone);

        foreach (int batch in new[] { 3, 5 })
        {
            var batchNoise = new float[batch * length];
            for (int i = 0; i < batch; i++)
            {
                PhiloxNoise.Fill(42, i, batchNoise.AsSpan(i * length, length));
            }

            Assert.Equal(alone, batchNoise[(2 * length)..(3 * length)]);
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(7)]
    [InlineData(1000)]
    public void ImageNoise_IsTheSameWhateverTheChunking(int chunk)
    {
        var whole = new float[4099];
        PhiloxNoise.Fill(7, 1, whole);

        var chunked = new float[whole.Length];
        for (int start = 0; start < chunked.Length; start += chunk)
        {
            int count = Math.Min(chunk, chunked.Length - start);
            PhiloxNoise.Fill(7, 1, chunked.AsSpan(start, count), start);
        }

        Assert.Equal(whole, chunked);
    }

    [Fact]
    public void ImageNoise_IsTheSameWhateverTheThreadCount()
    {
        var whole = new float[1 << 16];
        PhiloxNoise.Fill(99, 0, whole);

        var parallel = new float[whole.Length];
        Parallel.For(0, 16, new ParallelOptions { MaxDegreeOfParallelism = 4 }, part =>
        {
            int size = parallel.Length / 16;
            PhiloxNoise.Fill(99, 0, parallel.AsSpan(part * size, size), part * size);
        });

        Assert.Equal(whole, parallel);
    }

    [Fact]
    public void DifferentSeedsAndImages_GiveDifferentNoise()
    {
        float[] a = new float[64], b = new float[64], c = new float[64];
        PhiloxNoise.Fill(1, 0, a);
        PhiloxNoise.Fill(2, 0, b);
        PhiloxNoise.Fill(1, 1, c);

        Assert.NotEqual(a, b);
        Assert.NotEqual(a, c);
    }

    [Fact]
    public void Samples_HaveMeanZeroAndVarianceOne()
    {
        const int n = 1 << 20;
        var values = new float[n];
        PhiloxNoise.Fill(12345, 3, values);

        double mean = values.Average(v => (double)v);
        double variance = values.Sum(v => (v - mean) * (v - mean)) / (n - 1);

        Assert.InRange(mean, -5.0 / Math.Sqrt(n), 5.0 / Math.Sqrt(n));            // 5 standard errors
        Assert.InRange(variance, 1 - (5 * Math.Sqrt(2.0 / n)), 1 + (5 * Math.Sqrt(2.0 / n)));
    }

    [Fact]
    public void Samples_PassKolmogorovSmirnovAgainstStandardNormal()
    {
        const int n = 200_000;
        var values = new float[n];
        PhiloxNoise.Fill(2026, 0, values);
        Array.Sort(values);

        double d = 0;
        for (int i = 0; i < n; i++)
        {
            double cdf = Normal.CDF(0, 1, values[i]);
            d = Math.Max(d, Math.Max(((i + 1.0) / n) - cdf, cdf - ((double)i / n)));
        }

        // Critical value of the one-sample KS statistic at alpha = 0.001: 1.95 / sqrt(n).
        Assert.True(d < 1.95 / Math.Sqrt(n), $"KS statistic {d} exceeds the 0.001 critical value {1.95 / Math.Sqrt(n)}");
    }

    [Fact]
    public void Fill_RejectsNegativeImageIndex()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => PhiloxNoise.Fill(1, -1, new float[4]));

        Assert.Contains("image index -1", error.Message, StringComparison.Ordinal);
    }
}
