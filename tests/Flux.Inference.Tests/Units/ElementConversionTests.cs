using Flux.Core;
using Flux.Inference.Tensors;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Flux.Inference.Tests.Units;

public class ElementConversionTests
{
    [Theory]
    [InlineData(1.0f, (ushort)0x3F80)]
    [InlineData(-2.0f, (ushort)0xC000)]
    [InlineData(0.0f, (ushort)0x0000)]
    [InlineData(3.140625f, (ushort)0x4049)]   // exactly representable
    [InlineData(1.00390625f, (ushort)0x3F80)]  // halfway 0x3F80|0x3F81 -> even 0x3F80
    [InlineData(1.01171875f, (ushort)0x3F82)]  // halfway 0x3F81|0x3F82 -> even 0x3F82
    public void ToBFloat16_RoundsToNearestEven(float value, ushort expectedBits)
    {
        ushort[] bits = new ushort[1];
        BFloat16Conversion.Narrow([value], bits);
        Assert.Equal(expectedBits, bits[0]);
    }

    [Fact]
    public void BFloat16_RoundTrip_IsWithinHalfAnUlpOfEightBitMantissa()
    {
        float[] values = Enumerable.Range(-500, 1001).Select(i => i * 0.0137f).ToArray();
        byte[] raw = new byte[values.Length * 2];
        float[] back = new float[values.Length];
        ElementConversion.FromFloat(values, TensorElementType.BFloat16, raw);
        ElementConversion.ToFloat(raw, TensorElementType.BFloat16, back);
        for (int i = 0; i < values.Length; i++)
        {
            Assert.True(Math.Abs(values[i] - back[i]) <= Math.Abs(values[i]) * (1f / 256f), $"{values[i]} -> {back[i]}");
        }
    }

    [Fact]
    public void BFloat16_KeepsNaNAndInfinity()
    {
        byte[] raw = new byte[6];
        float[] back = new float[3];
        ElementConversion.FromFloat([float.NaN, float.PositiveInfinity, float.NegativeInfinity], TensorElementType.BFloat16, raw);
        ElementConversion.ToFloat(raw, TensorElementType.BFloat16, back);
        Assert.True(float.IsNaN(back[0]));
        Assert.Equal(float.PositiveInfinity, back[1]);
        Assert.Equal(float.NegativeInfinity, back[2]);
    }

    [Fact]
    public void Float16_RoundTrip_MatchesSystemHalf()
    {
        float[] values = [0f, 1f, -0.5f, 65504f, 1e-3f, 0.1f];
        byte[] raw = new byte[values.Length * 2];
        float[] back = new float[values.Length];
        ElementConversion.FromFloat(values, TensorElementType.Float16, raw);
        ElementConversion.ToFloat(raw, TensorElementType.Float16, back);
        Assert.Equal(values.Select(v => (float)(Half)v), back);
    }

    [Fact]
    public void Float32_IsCopiedExactly()
    {
        float[] values = [1.5f, -3.25f, float.Epsilon];
        byte[] raw = new byte[12];
        float[] back = new float[3];
        ElementConversion.FromFloat(values, TensorElementType.Float, raw);
        ElementConversion.ToFloat(raw, TensorElementType.Float, back);
        Assert.Equal(values, back);
    }

    [Fact]
    public void TensorBuffer_Fill_WritesEveryElementInTheSessionType()
    {
        using var buffer = TensorBuffer.Allocate(TensorElementType.Float16, 3);
        buffer.Fill(0.75f);
        float[] back = new float[3];
        buffer.Read(back);
        Assert.Equal([0.75f, 0.75f, 0.75f], back);
    }

    [Fact]
    public void TensorBuffer_WriteIds_NarrowsToInt32Tensors()
    {
        using var buffer = TensorBuffer.Allocate(TensorElementType.Int32, 1, 3);
        buffer.WriteIds([49406L, 320L, 49407L]);
        Assert.Equal([49406, 320, 49407], buffer.Value.GetTensorDataAsSpan<int>().ToArray());
    }
}
