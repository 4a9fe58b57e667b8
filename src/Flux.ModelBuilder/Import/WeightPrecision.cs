using Onnx;

namespace Flux.ModelBuilder.Import;

/// <summary>The element type weights are stored in inside the package (compute stays fp32).</summary>
public enum WeightPrecision
{
    Fp32,
    Fp16,
    Bf16,
}

internal static class WeightPrecisions
{
    public static TensorProto.Types.DataType ToOnnx(this WeightPrecision precision) => precision switch
    {
        WeightPrecision.Fp32 => TensorProto.Types.DataType.Float,
        WeightPrecision.Fp16 => TensorProto.Types.DataType.Float16,
        WeightPrecision.Bf16 => TensorProto.Types.DataType.Bfloat16,
        _ => throw new ArgumentOutOfRangeException(nameof(precision), precision, "not a weight precision"),
    };

    public static int ElementBytes(this WeightPrecision precision) => precision == WeightPrecision.Fp32 ? 4 : 2;
}
