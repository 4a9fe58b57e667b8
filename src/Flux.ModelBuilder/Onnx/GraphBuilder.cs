using System.Runtime.InteropServices;
using Google.Protobuf;
using Flux.ModelBuilder.Onnx.Int4;
using Onnx;

namespace Flux.ModelBuilder.Onnx;

/// <summary>A symbolic (named) or fixed dimension of a graph input or output.</summary>
internal readonly record struct Dim(string? Param, long Value)
{
    public static implicit operator Dim(string param) => new(param, 0);
    public static implicit operator Dim(long value) => new(null, value);
    public static implicit operator Dim(int value) => new(null, value);
}

/// <summary>One node attribute (ints, floats, strings), built by the static factories.</summary>
internal readonly record struct Attr(AttributeProto Proto)
{
    public static Attr Int(string name, long value) =>
        new(new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value });

    public static Attr Float(string name, float value) =>
        new(new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value });

    public static Attr Text(string name, string value) =>
        new(new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8(value) });

    public static Attr Ints(string name, params long[] values)
    {
        var proto = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        proto.Ints.AddRange(values);
        return new(proto);
    }
}

/// <summary>
/// Builds one ONNX graph: inputs, outputs, initializers and nodes, all named deterministically
/// (node and value names come from a counter, so the same calls give the same bytes).
/// </summary>
internal sealed class GraphBuilder
{
    private readonly Dictionary<string, string> _sharedConstants = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ITensorData> _deferred = new(StringComparer.Ordinal);
    private readonly IParameterSource _parameters;
    private int _nodeCount;

    /// <summary>A graph whose trained parameters are seeded random values (the built-in packages).</summary>
    public GraphBuilder(string name, WeightSource weights)
        : this(name, new RandomParameters(weights))
    {
    }

    public GraphBuilder(string name, IParameterSource parameters)
    {
        Graph = new GraphProto { Name = name };
        _parameters = parameters;
    }

    public GraphProto Graph { get; }

    /// <summary>Initializers whose bytes are written by <see cref="OnnxFileWriter"/> from their source, by name.</summary>
    public IReadOnlyDictionary<string, ITensorData> Deferred => _deferred;

    public string Input(string name, TensorProto.Types.DataType type, params Dim[] dims)
    {
        Graph.Input.Add(ValueInfo(name, type, dims));
        return name;
    }

    /// <summary>Declares <paramref name="value"/> as the graph output <paramref name="name"/>.</summary>
    public void Output(string value, string name, TensorProto.Types.DataType type, params Dim[] dims)
    {
        Graph.Node.Add(new NodeProto { OpType = "Identity", Name = name + "_output", Input = { value }, Output = { name } });
        Graph.Output.Add(ValueInfo(name, type, dims));
    }

    /// <summary>
    /// The trained parameter <paramref name="name"/> (PyTorch state-dict key and layout) from this graph's
    /// <see cref="IParameterSource"/>: random for the built-in packages, a checkpoint's tensor for imports.
    /// </summary>
    public string Trained(string name, ParameterInit init, params long[] shape) => _parameters.Add(this, name, init, shape);

    /// <summary>Linear layers stored as int4 blocks (MatMulNBits); null keeps every weight fp32.</summary>
    public LinearQuantization? LinearQuantization { get; set; }

    /// <summary>The fp32 values of trained parameter <paramref name="name"/> without adding it (see <see cref="IParameterSource.Values"/>).</summary>
    public ITensorData TrainedValues(string name, ParameterInit init, params long[] shape) => _parameters.Values(name, init, shape);

    /// <summary>An initializer computed from a trained parameter, added the way the parameter source adds its own.</summary>
    public string TrainedDerived(string name, ITensorData data) => _parameters.AddDerived(this, name, data);

    /// <summary>An initializer whose bytes <paramref name="data"/> writes now, stored in the graph (small or in-memory tensors).</summary>
    public string InlineParameter(string name, ITensorData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        using var buffer = new MemoryStream(checked((int)data.ByteLength));
        data.WriteTo(buffer);
        if (buffer.Length != data.ByteLength)
        {
            throw new InvalidOperationException($"initializer '{name}' wrote {buffer.Length} bytes, not the {data.ByteLength} it declares");
        }

        var tensor = new TensorProto { Name = name, DataType = (int)data.DataType, RawData = ByteString.CopyFrom(buffer.GetBuffer(), 0, (int)buffer.Length) };
        tensor.Dims.AddRange(data.Shape);
        Graph.Initializer.Add(tensor);
        return name;
    }

    /// <summary>A parameter initializer with the given values (PyTorch layout and state-dict name).</summary>
    public string Parameter(string name, float[] values, params long[] shape) => Initializer(name, values, shape);

    /// <summary>A parameter initializer whose bytes come from <paramref name="data"/> when the model is written.</summary>
    public string Parameter(string name, ITensorData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        long expected = data.Shape.Aggregate(1L, (product, dim) => product * dim) * ElementBytes(data.DataType);
        if (data.ByteLength != expected)
        {
            throw new InvalidOperationException(
                $"initializer '{name}' declares {data.ByteLength} bytes, but shape [{string.Join(", ", data.Shape)}] of {data.DataType} holds {expected}");
        }

        if (!_deferred.TryAdd(name, data))
        {
            throw new InvalidOperationException($"initializer '{name}' is added twice");
        }

        var tensor = new TensorProto { Name = name, DataType = (int)data.DataType };
        tensor.Dims.AddRange(data.Shape);
        Graph.Initializer.Add(tensor);
        return name;
    }

    /// <summary>A constant shared by every caller that asks for the same key.</summary>
    public string SharedConstant(string key, Func<float[]> values, params long[] shape)
    {
        if (!_sharedConstants.TryGetValue(key, out var name))
        {
            name = Initializer("const." + key, values(), shape);
            _sharedConstants.Add(key, name);
        }

        return name;
    }

    public string Constant(string name, float[] values, params long[] shape) => Initializer("const." + name, values, shape);

    /// <summary>A rank-1 int64 constant (shapes, axes, slice bounds), shared like <see cref="SharedConstant"/>.</summary>
    public string Int64s(params long[] values) => Int64Constant("i64." + string.Join('_', values).Replace('-', 'm'), values, values.Length);

    /// <summary>An int64 constant of <paramref name="shape"/> (empty: a scalar) shared by every caller that asks for the same key.</summary>
    public string Int64Constant(string key, long[] values, params long[] shape)
    {
        if (!_sharedConstants.TryGetValue(key, out var name))
        {
            name = "const." + key;
            var tensor = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Int64 };
            tensor.Dims.AddRange(shape);
            tensor.RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(values.AsSpan()));
            Graph.Initializer.Add(tensor);
            _sharedConstants.Add(key, name);
        }

        return name;
    }

    public string Scalar(float value) =>
        SharedConstant("f32." + value.ToString("R", System.Globalization.CultureInfo.InvariantCulture), () => [value]);

    public string Op(string opType, string[] inputs, params Attr[] attributes) => Ops(opType, inputs, 1, attributes)[0];

    /// <summary>ONNX Runtime's contrib domain (MultiHeadAttention, RotaryEmbedding, FastGelu, MatMulNBits).</summary>
    public const string ContribDomain = "com.microsoft";

    /// <summary>True once a node of <see cref="ContribDomain"/> is added; the model then imports that domain.</summary>
    public bool UsesContribOps { get; private set; }

    /// <summary>A node of ONNX Runtime's contrib domain; an empty input name skips an optional input.</summary>
    public string ContribOp(string opType, string[] inputs, params Attr[] attributes)
    {
        var output = Op(opType, inputs, attributes);
        Graph.Node[^1].Domain = ContribDomain;
        UsesContribOps = true;
        return output;
    }

    public string[] Ops(string opType, string[] inputs, int outputCount, params Attr[] attributes)
    {
        var id = _nodeCount++;
        var node = new NodeProto { OpType = opType, Name = $"{opType}_{id}" };
        node.Input.AddRange(inputs);
        var outputs = new string[outputCount];
        for (var i = 0; i < outputCount; i++)
        {
            outputs[i] = outputCount == 1 ? $"{opType}_{id}" : $"{opType}_{id}_{i}";
        }

        node.Output.AddRange(outputs);
        foreach (var attribute in attributes)
        {
            node.Attribute.Add(attribute.Proto);
        }

        Graph.Node.Add(node);
        return outputs;
    }

    private static long ElementBytes(TensorProto.Types.DataType type) => type switch
    {
        TensorProto.Types.DataType.Float or TensorProto.Types.DataType.Int32 => 4,
        TensorProto.Types.DataType.Float16 or TensorProto.Types.DataType.Bfloat16 => 2,
        TensorProto.Types.DataType.Uint8 or TensorProto.Types.DataType.Int8 => 1,
        TensorProto.Types.DataType.Int64 or TensorProto.Types.DataType.Double => 8,
        _ => throw new NotSupportedException($"initializers of type {type} are not written by this builder"),
    };

    private string Initializer(string name, float[] values, long[] shape)
    {
        var tensor = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float };
        tensor.Dims.AddRange(shape);
        tensor.RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(values.AsSpan()));
        Graph.Initializer.Add(tensor);
        return name;
    }

    private static ValueInfoProto ValueInfo(string name, TensorProto.Types.DataType type, Dim[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (var dim in dims)
        {
            shape.Dim.Add(dim.Param is null
                ? new TensorShapeProto.Types.Dimension { DimValue = dim.Value }
                : new TensorShapeProto.Types.Dimension { DimParam = dim.Param });
        }

        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = shape } },
        };
    }
}
