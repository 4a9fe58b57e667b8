using System.Runtime.InteropServices;
using Flux.ModelBuilder.Import;
using Flux.ModelBuilder.Import.SafeTensors;

namespace Flux.ModelBuilder.Tests.Import;

/// <summary>
/// The importer's vectorized conversions against per-element definitions: every bf16 and fp16 bit pattern widens to
/// exactly the fp32 it denotes, and narrowing to bf16 rounds to nearest even (worked out here in double, not with the
/// product's bit trick), at lengths that exercise the vector loop and its scalar tail.
/// </summary>
public sealed class ElementConversionTests
{
    [Fact]
    public void EveryBf16AndFp16BitPattern_WidensToTheFp32ItDenotes()
    {
        var patterns = Enumerable.Range(0, 1 << 16).Select(i => (ushort)i).ToArray();
        var bytes = MemoryMarshal.AsBytes(patterns.AsSpan()).ToArray();
        var bf16 = new float[patterns.Length];
        var fp16 = new float[patterns.Length];

        ElementConversion.ToFloat(SafeTensorsDType.BF16, bytes, bf16);
        ElementConversion.ToFloat(SafeTensorsDType.F16, bytes, fp16);

        for (var i = 0; i < patterns.Length; i++)
        {
            Assert.Equal((uint)patterns[i] << 16, BitConverter.SingleToUInt32Bits(bf16[i]));   // bf16 = the upper half of the fp32 pattern
            var half = BitConverter.UInt16BitsToHalf(patterns[i]);
            Assert.True(Half.IsNaN(half) ? float.IsNaN(fp16[i]) : fp16[i] == (float)half && float.IsNegative(fp16[i]) == Half.IsNegative(half), $"fp16 0x{patterns[i]:x4}: {fp16[i]}");
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(1000)]
    [InlineData(4099)]
    public void Fp32ToBf16_RoundsToNearestEven_AndKeepsNaNAndInfinity(int length)
    {
        var random = new Random(length);
        var values = new float[length];
        float[] special = [0f, -0f, float.PositiveInfinity, float.NegativeInfinity, float.NaN, float.Epsilon, -1e-40f, 3.4e38f, BitConverter.UInt32BitsToSingle(0x3F808000), BitConverter.UInt32BitsToSingle(0x3F818000)];
        for (var i = 0; i < length; i++)
        {
            values[i] = i < special.Length && length > special.Length ? special[i] : BitConverter.UInt32BitsToSingle((uint)random.NextInt64(0, 1L << 32));
        }

        var bytes = new byte[2 * length];
        ElementConversion.FromFloat(values, WeightPrecision.Bf16, bytes);
        var actual = MemoryMarshal.Cast<byte, ushort>(bytes);

        for (var i = 0; i < length; i++)
        {
            var expected = NearestEvenBf16(values[i]);
            Assert.True(float.IsNaN(values[i]) ? float.IsNaN(Widen(actual[i])) : actual[i] == expected, $"{values[i]:R} (0x{BitConverter.SingleToUInt32Bits(values[i]):x8}): 0x{actual[i]:x4}, nearest even 0x{expected:x4}");
        }
    }

    [Fact]
    public void Fp32ToFp16_IsTheIeeeConversion()
    {
        var random = new Random(5);
        var values = Enumerable.Range(0, 1001).Select(_ => (float)((random.NextDouble() - 0.5) * Math.Pow(2, random.Next(-30, 20)))).ToArray();
        var bytes = new byte[2 * values.Length];

        ElementConversion.FromFloat(values, WeightPrecision.Fp16, bytes);

        var actual = MemoryMarshal.Cast<byte, Half>(bytes).ToArray();
        Assert.Equal(values.Select(v => (Half)v), actual);
    }

    private static float Widen(ushort bf16) => BitConverter.UInt32BitsToSingle((uint)bf16 << 16);

    /// <summary>The bf16 nearest to <paramref name="value"/> (ties to the even pattern), chosen by comparing distances in double.</summary>
    private static ushort NearestEvenBf16(float value)
    {
        var truncated = (ushort)(BitConverter.SingleToUInt32Bits(value) >> 16);   // toward zero
        if (float.IsInfinity(value))
        {
            return truncated;
        }

        var away = (ushort)(truncated + 1);                                         // next magnitude (may reach infinity)
        double down = Math.Abs((double)value - Widen(truncated)), up = Math.Abs(Widen(away) - (double)value);
        if (float.IsInfinity(Widen(away)))
        {
            // Beyond the largest bf16 by at least half a step rounds to infinity: the step there is 2^(127-7).
            up = Math.Abs(Math.Pow(2, 128) - Math.Abs((double)value));
        }

        return down < up ? truncated : up < down ? away : (truncated & 1) == 0 ? truncated : away;
    }
}
