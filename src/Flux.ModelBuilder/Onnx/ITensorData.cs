using Onnx;

namespace Flux.ModelBuilder.Onnx;

/// <summary>
/// An initializer whose bytes are produced only when the model file is written (streamed from a
/// memory-mapped checkpoint, converted on the way), so a graph of a 12B-parameter model never holds its
/// weights in memory. Writers must be repeatable: the same tensor writes the same bytes every time.
/// </summary>
internal interface ITensorData
{
    TensorProto.Types.DataType DataType { get; }

    /// <summary>Row-major dimensions of the tensor as the graph sees it.</summary>
    IReadOnlyList<long> Shape { get; }

    /// <summary>The exact number of bytes <see cref="WriteTo"/> writes.</summary>
    long ByteLength { get; }

    /// <summary>Writes the tensor's raw little-endian data (ONNX <c>raw_data</c> layout) to <paramref name="destination"/>.</summary>
    void WriteTo(Stream destination);
}
