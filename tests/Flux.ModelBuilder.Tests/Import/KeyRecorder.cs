using Flux.ModelBuilder.Onnx;
using Onnx;

namespace Flux.ModelBuilder.Tests.Import;

/// <summary>
/// A parameter source that only records which keys a graph asks for and with which shapes. Its initializers
/// declare their byte length but hold no bytes (writing them fails), so a graph of real FLUX.1 size is built
/// with no weight memory at all.
/// </summary>
internal sealed class KeyRecorder : IParameterSource
{
    private readonly Dictionary<string, long[]> _requested = new(StringComparer.Ordinal);

    public IReadOnlyDictionary<string, long[]> Requested => _requested;

    public string Add(GraphBuilder g, string name, ParameterInit init, long[] shape)
    {
        _requested.Add(name, shape);
        return g.Parameter(name, new ShapeOnly(shape));
    }

    public ITensorData Values(string name, ParameterInit init, long[] shape)
    {
        _requested.Add(name, shape);
        return new ShapeOnly(shape);
    }

    public string AddDerived(GraphBuilder g, string name, ITensorData data) => g.Parameter(name, data);

    private sealed class ShapeOnly(long[] shape) : ITensorData
    {
        public TensorProto.Types.DataType DataType => TensorProto.Types.DataType.Float;

        public IReadOnlyList<long> Shape => shape;

        public long ByteLength => shape.Aggregate(4L, (product, dim) => product * dim);

        public void WriteTo(Stream destination) => throw new InvalidOperationException("a recorded key has no bytes to write");
    }
}
