using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Onnx;

namespace Flux.Benchmarks.Perf;

/// <summary>
/// The practical FLOP/s limit of ONNX Runtime on this CPU: one MatMul (M, K) x (K, N) with the weight as an
/// initializer, the shape of a FLUX-width MLP layer, run through the same session settings as the pipeline.
/// </summary>
internal sealed class MatMulReference : BoundSessionRun
{
    public MatMulReference(int m, int k, int n)
        : base(CreateSession(m, k, n))
    {
        Flops = 2.0 * m * k * n;
        float[] a = new float[m * k];
        a.AsSpan().Fill(0.5f);
        BindInput("a", a, m, k);
        BindOutput("c", new float[m * n], m, n);
        WarmUp();
    }

    private static InferenceSession CreateSession(int m, int k, int n)
    {
        var random = new Random(1);
        float[] weight = new float[k * n];
        for (int i = 0; i < weight.Length; i++)
        {
            weight[i] = (float)(random.NextDouble() - 0.5);
        }

        var graph = new GraphProto { Name = "matmul" };
        graph.Input.Add(Value("a", m, k));
        graph.Output.Add(Value("c", m, n));
        var initializer = new TensorProto { Name = "b", DataType = (int)TensorProto.Types.DataType.Float };
        initializer.Dims.Add(k);
        initializer.Dims.Add(n);
        initializer.RawData = ByteString.CopyFrom(System.Runtime.InteropServices.MemoryMarshal.AsBytes(weight.AsSpan()));
        graph.Initializer.Add(initializer);
        var node = new NodeProto { OpType = "MatMul", Name = "matmul" };
        node.Input.Add("a");
        node.Input.Add("b");
        node.Output.Add("c");
        graph.Node.Add(node);
        var model = new ModelProto { IrVersion = 8, Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Version = 17 });

        using var sessionOptions = CreateSessionOptions();
        return new InferenceSession(model.ToByteArray(), sessionOptions);
    }

    private static ValueInfoProto Value(string name, long rows, long columns)
    {
        var shape = new TensorShapeProto();
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = rows });
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = columns });
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape } },
        };
    }
}
