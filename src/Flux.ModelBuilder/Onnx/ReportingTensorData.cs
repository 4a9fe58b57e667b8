using Onnx;

namespace Flux.ModelBuilder.Onnx;

/// <summary>Passes <paramref name="inner"/> through and reports its byte count once written (progress bars).</summary>
internal sealed class ReportingTensorData(ITensorData inner, Action<long> written) : ITensorData
{
    public TensorProto.Types.DataType DataType => inner.DataType;

    public IReadOnlyList<long> Shape => inner.Shape;

    public long ByteLength => inner.ByteLength;

    public void WriteTo(Stream destination)
    {
        inner.WriteTo(destination);
        written(inner.ByteLength);
    }
}
