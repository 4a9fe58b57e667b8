using Google.Protobuf;

namespace Flux.Inference.Memory;

/// <summary>One initializer of an ONNX graph: its name, shape and the bytes its elements take (inline or external).</summary>
public sealed record OnnxInitializer(string Name, long[] Dimensions, long Bytes);

/// <summary>What the memory estimate needs from one ONNX model file: its initializers and the operator types it uses.</summary>
public sealed record OnnxWeights(IReadOnlyList<OnnxInitializer> Initializers, IReadOnlySet<string> OperatorTypes)
{
    /// <summary>Bytes of every weight: the sum over initializers of element count times element size.</summary>
    public long TotalBytes => Initializers.Sum(i => i.Bytes);

    /// <summary>The initializer whose name ends with <paramref name="suffix"/>, or null.</summary>
    public OnnxInitializer? EndingWith(string suffix) => Initializers.FirstOrDefault(i => i.Name.EndsWith(suffix, StringComparison.Ordinal));

    /// <summary>
    /// Reads the initializers' shapes and types and the nodes' operator types from the file's protobuf
    /// (onnx.proto: ModelProto.graph = 7; GraphProto.node = 1, initializer = 5; NodeProto.op_type = 4;
    /// TensorProto.dims = 1, data_type = 2, name = 8). Hand-walked with Google.Protobuf's reader because no served
    /// package ships the ONNX message types for .NET, and only these five fields are needed; tensor data is skipped,
    /// external data is never opened (the shape says its size).
    /// </summary>
    public static OnnxWeights Read(string modelFile)
    {
        using var stream = File.OpenRead(modelFile);
        var model = new CodedInputStream(stream);
        var initializers = new List<OnnxInitializer>();
        var operators = new HashSet<string>(StringComparer.Ordinal);
        for (uint tag; (tag = model.ReadTag()) != 0;)
        {
            if (WireFormat.GetTagFieldNumber(tag) != 7 || WireFormat.GetTagWireType(tag) != WireFormat.WireType.LengthDelimited)
            {
                model.SkipLastField();
                continue;
            }

            var graph = model.ReadBytes().CreateCodedInput();
            for (uint graphTag; (graphTag = graph.ReadTag()) != 0;)
            {
                switch (WireFormat.GetTagFieldNumber(graphTag))
                {
                    case 1:
                        operators.Add(OperatorType(graph.ReadBytes().CreateCodedInput()));
                        break;
                    case 5:
                        initializers.Add(Initializer(graph.ReadBytes().CreateCodedInput()));
                        break;
                    default:
                        graph.SkipLastField();
                        break;
                }
            }
        }

        return new OnnxWeights(initializers, operators);
    }

    private static string OperatorType(CodedInputStream node)
    {
        for (uint tag; (tag = node.ReadTag()) != 0;)
        {
            if (WireFormat.GetTagFieldNumber(tag) == 4)
            {
                return node.ReadString();
            }

            node.SkipLastField();
        }

        return "";
    }

    private static OnnxInitializer Initializer(CodedInputStream tensor)
    {
        var dims = new List<long>();
        int dataType = 0;
        string name = "";
        for (uint tag; (tag = tensor.ReadTag()) != 0;)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1 when WireFormat.GetTagWireType(tag) == WireFormat.WireType.LengthDelimited:
                    var packed = tensor.ReadBytes().CreateCodedInput();
                    while (!packed.IsAtEnd)
                    {
                        dims.Add(packed.ReadInt64());
                    }

                    break;
                case 1:
                    dims.Add(tensor.ReadInt64());
                    break;
                case 2:
                    dataType = tensor.ReadInt32();
                    break;
                case 8:
                    name = tensor.ReadString();
                    break;
                default:
                    tensor.SkipLastField();
                    break;
            }
        }

        long elements = dims.Aggregate(1L, (product, d) => product * Math.Max(d, 0));
        return new OnnxInitializer(name, [.. dims], elements * ElementBytes(dataType));
    }

    /// <summary>TensorProto.DataType -> bytes per element (strings and 4-bit types counted as 1).</summary>
    private static long ElementBytes(int dataType) => dataType switch
    {
        1 or 6 or 12 => 4,     // float, int32, uint32
        7 or 11 or 13 => 8,    // int64, double, uint64
        4 or 5 or 10 or 16 => 2, // uint16, int16, float16, bfloat16
        14 => 8,               // complex64
        15 => 16,              // complex128
        _ => 1,                // uint8, int8, bool, string, float8 and 4-bit types
    };
}
