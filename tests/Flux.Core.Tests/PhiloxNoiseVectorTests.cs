using System.Numerics;
using System.Runtime.Intrinsics;
using Flux.Core;
using Xunit.Abstractions;

namespace Flux.Core.Tests;

/// <summary>The SIMD noise path against the scalar definition of <see cref="PhiloxNoise"/>.</summary>
public class PhiloxNoiseVectorTests(ITestOutputHelper output)
{
    private const int Image1024 = 16 * 128 * 128;   // (16, 128, 128): one 1024x1024 image's latent

    public static TheoryData<ulong, ulong, ulong> Counters => new()
    {
        { 0UL, 0UL, 0UL },
        { ulong.MaxValue, ulong.MaxValue, 0UL },
        { 0x299f31d0a4093822UL, 0x0370734413198a2eUL, 0x85a308d3UL },
        { 42UL, 7UL, 0xFFFF_FFFFUL - 5 },               // block counters cross 2^32 inside one vector
        { 12345UL, 0xFFFF_FFFFUL, 0x1_FFFF_FFFAUL },     // image index at 2^32 - 1, blocks cross 2^33
        { 0xDEADBEEFCAFEF00DUL, 1UL << 32, (1UL << 61) - 9 },
    };

    [Theory]
    [MemberData(nameof(Counters))]
    public void VectorPhilox_GivesTheScalarWords(ulong seed, ulong imageIndex, ulong firstBlock)
    {
        if (Vector512.IsHardwareAccelerated)
        {
            var (a, b) = PhiloxGroup.Philox512(seed, imageIndex, firstBlock);
            for (int j = 0; j < Vector512<ulong>.Count; j++)
            {
                Assert.Equal(ScalarWords(seed, imageIndex, firstBlock + (ulong)j), Unpack(a[j], b[j]));
            }
        }

        if (Vector.IsHardwareAccelerated)
        {
            var (a, b) = PhiloxGroup.PhiloxVector(seed, imageIndex, firstBlock);
            for (int j = 0; j < Vector<ulong>.Count; j++)
            {
                Assert.Equal(ScalarWords(seed, imageIndex, firstBlock + (ulong)j), Unpack(a[j], b[j]));
            }
        }

        static (uint, uint, uint, uint) Unpack(ulong a, ulong b) => ((uint)a, (uint)b, (uint)(a >> 32), (uint)(b >> 32));
    }

    [Fact]
    public void EveryVectorWidth_MatchesTheLibrarysScalarFallback()
    {
        const int groups = 512;   // a 1024x1024 image
        var scalar = new float[groups * PhiloxGroup.Elements];
        var wide = new float[scalar.Length];
        var portable = new float[scalar.Length];
        for (int g = 0; g < groups; g++)
        {
            ulong firstBlock = (ulong)g * PhiloxGroup.Blocks;
            Span<float> Slice(float[] values) => values.AsSpan(g * PhiloxGroup.Elements, PhiloxGroup.Elements);
            PhiloxGroup.NormalsScalar(5, 9, firstBlock, Slice(scalar));
            if (Vector512.IsHardwareAccelerated)
            {
                PhiloxGroup.Normals512(5, 9, firstBlock, Slice(wide));
            }

            if (Vector.IsHardwareAccelerated)
            {
                PhiloxGroup.NormalsVector(5, 9, firstBlock, Slice(portable));
            }
        }

        Assert.Equal(ScalarDefinition(5, 9, 0, scalar.Length), scalar);
        if (Vector512.IsHardwareAccelerated)
        {
            AssertCloseToDefinition("Vector512", wide, scalar);
        }

        if (Vector.IsHardwareAccelerated)
        {
            AssertCloseToDefinition($"Vector<T> ({Vector<byte>.Count * 8} bits)", portable, scalar);
        }
    }

    [Fact]
    public void Fill_MatchesTheScalarDefinition_ForEveryElementOfA1024Image()
    {
        var fast = new float[Image1024];
        PhiloxNoise.Fill(2026, 3, fast);
        float[] reference = ScalarDefinition(2026, 3, 0, Image1024);

        AssertCloseToDefinition("Fill", fast, reference);
    }

    [Fact]
    public void Fill_MatchesTheScalarDefinition_WhereBlockCountersPass2To32()
    {
        const long first = (4L << 32) - 700;   // block 2^32 - 175: the counter's high word turns over inside
        var fast = new float[1400];
        PhiloxNoise.Fill(77, 5, fast, first);
        float[] reference = ScalarDefinition(77, 5, first, fast.Length);

        Assert.All(Enumerable.Range(0, fast.Length), e => Assert.InRange(UlpDistance(fast[e], reference[e]), 0, 1));
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(3, 5)]
    [InlineData(255, 300)]
    [InlineData(257, 5)]
    [InlineData(511, 1)]
    [InlineData(513, 300)]
    [InlineData(1, 1535)]
    [InlineData(257, 70_001)]
    public void Fill_AnyOffsetAndLength_GivesTheSameElementsAsTheWholeFill(int offset, int length)
    {
        var whole = new float[offset + length + 9];
        PhiloxNoise.Fill(31, 2, whole);

        var part = new float[length];
        PhiloxNoise.Fill(31, 2, part, offset);

        Assert.Equal(whole.AsSpan(offset, length).ToArray(), part);
    }

    /// <summary>Every element within one float ulp of the definition and at least 99.9 % bit-exact.</summary>
    private void AssertCloseToDefinition(string path, float[] fast, float[] reference)
    {
        int exact = 0, maxUlps = 0;
        for (int e = 0; e < fast.Length; e++)
        {
            int ulps = UlpDistance(fast[e], reference[e]);
            exact += ulps == 0 ? 1 : 0;
            maxUlps = Math.Max(maxUlps, ulps);
        }

        double fraction = (double)exact / fast.Length;
        output.WriteLine($"{path}: bit-exact {exact} of {fast.Length} ({fraction:P4}); max distance {maxUlps} ulp");
        Assert.True(maxUlps <= 1, $"{path}: an element is {maxUlps} float ulps from the scalar definition");
        Assert.True(fraction >= 0.999, $"{path}: only {fraction:P4} of elements equal the scalar definition");
    }

    private static (uint, uint, uint, uint) ScalarWords(ulong seed, ulong imageIndex, ulong block)
        => PhiloxNoise.Philox4x32((uint)block, (uint)(block >> 32), (uint)imageIndex, (uint)(imageIndex >> 32), (uint)seed, (uint)(seed >> 32));

    /// <summary>The documented construction, element by element, with Math.Log and Math.SinCos.</summary>
    private static float[] ScalarDefinition(ulong seed, ulong imageIndex, long first, int length)
    {
        static double U(uint w) => (w + 0.5) / 4294967296.0;
        var values = new float[length];
        for (int k = 0; k < length; k++)
        {
            long e = first + k;
            var (w0, w1, w2, w3) = ScalarWords(seed, imageIndex, (ulong)(e / 4));
            int lane = (int)(e % 4);
            (uint a, uint b) = lane < 2 ? (w0, w1) : (w2, w3);
            double r = Math.Sqrt(-2.0 * Math.Log(U(a)));
            (double sin, double cos) = Math.SinCos(2.0 * Math.PI * U(b));
            values[k] = (float)(lane % 2 == 0 ? r * cos : r * sin);
        }

        return values;
    }

    /// <summary>Distance in representable floats (0 when equal, 1 for neighbours).</summary>
    private static int UlpDistance(float x, float y)
    {
        static long Ordered(float f)
        {
            int bits = BitConverter.SingleToInt32Bits(f);
            return bits < 0 ? int.MinValue - (long)bits : bits;
        }

        return (int)Math.Min(int.MaxValue, Math.Abs(Ordered(x) - Ordered(y)));
    }
}
