using System.Runtime.InteropServices;
using Onnx;

namespace Flux.ModelBuilder.Onnx;

/// <summary>fp32 values already in memory (the built-in packages' random parameters) as an <see cref="ITensorData"/>.</summary>
internal sealed class FloatTensorData(float[] values, long[] shape) : ITensorData
{
    public TensorProto.Types.DataType DataType => TensorProto.Types.DataType.Float;

    public IReadOnlyList<long> Shape => shape;

    public long ByteLength => values.LongLength * sizeof(float);

    public void WriteTo(Stream destination) => destination.Write(MemoryMarshal.AsBytes(values.AsSpan()));
}
