using System.Diagnostics;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Onnx;

namespace Flux.Benchmarks.Perf;

/// <summary>
/// The practical FLOP/s limit of ONNX Runtime on this CPU: one MatMul (M, K) x (K, N) with the weight as an
/// initializer, the shape of a FLUX-width MLP layer, run through the same session settings as the pipeline.
/// </summary>
internal sealed class MatMulReference : ITimedRun
{
    private readonly InferenceSession _session;
    private readonly OrtIoBinding _binding;
    private readonly OrtValue _input;
    private readonly OrtValue _output;
    private readonly RunOptions _runOptions = new();

    public MatMulReference(int m, int k, int n)
    {
        Flops = 2.0 * m * k * n;
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

        using var sessionOptions = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
        sessionOptions.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        _session = new InferenceSession(model.ToByteArray(), sessionOptions);
        float[] a = new float[m * k];
        a.AsSpan().Fill(0.5f);
        _input = OrtValue.CreateTensorValueFromMemory(a, [m, k]);
        _output = OrtValue.CreateTensorValueFromMemory(new float[m * n], [m, n]);
        _binding = _session.CreateIoBinding();
        _binding.BindInput("a", _input);
        _binding.BindOutput("c", _output);
        _session.RunWithBinding(_runOptions, _binding);   // warm-up
    }

    public double Flops { get; }

    public double Run()
    {
        long start = Stopwatch.GetTimestamp();
        _session.RunWithBinding(_runOptions, _binding);
        return Stopwatch.GetElapsedTime(start).TotalMilliseconds;
    }

    public void Dispose()
    {
        _binding.Dispose();
        _input.Dispose();
        _output.Dispose();
        _runOptions.Dispose();
        _session.Dispose();
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
