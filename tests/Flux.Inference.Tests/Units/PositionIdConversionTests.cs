using System.Runtime.InteropServices;
using Flux.Inference.Tensors;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Flux.Inference.Tests.Units;

/// <summary>Position ids (whole numbers held as float32 by the pipeline) written into integer tensors, as optimum's exports declare them.</summary>
public class PositionIdConversionTests
{
    private static readonly float[] Ids = [0f, 63f, 127f, -1f, 4095f];

    [Fact]
    public void WholeNumbers_AreWrittenExactly_AsInt64AndInt32()
    {
        var int64 = new byte[Ids.Length * sizeof(long)];
        var int32 = new byte[Ids.Length * sizeof(int)];

        ElementConversion.FromFloat(Ids, TensorElementType.Int64, int64);
        ElementConversion.FromFloat(Ids, TensorElementType.Int32, int32);

        Assert.Equal([0L, 63, 127, -1, 4095], MemoryMarshal.Cast<byte, long>(int64).ToArray());
        Assert.Equal([0, 63, 127, -1, 4095], MemoryMarshal.Cast<byte, int>(int32).ToArray());
    }

    [Theory]
    [InlineData(2.5f)]
    [InlineData(float.NaN)]
    [InlineData(3e9f)]
    public void ValuesThatAreNotWholeNumbers_AreRefusedNamingTheValue_InsteadOfTruncated(float value)
    {
        var error = Assert.Throws<ArgumentException>(() => ElementConversion.FromFloat([1f, value], TensorElementType.Int64, new byte[16]));
        Assert.Contains(value.ToString(System.Globalization.CultureInfo.CurrentCulture), error.Message, StringComparison.Ordinal);
    }
}
