using System.Globalization;
using Flux.ModelBuilder.Onnx;
using Microsoft.ML.OnnxRuntime;
using Onnx;

namespace Flux.Benchmarks.Perf;

/// <summary>
/// `half-matmul DIR [--size N]`: whether ONNX Runtime's CPU provider keeps an fp16 weight in fp16 when the graph
/// computes the MatMul in fp16. Writes DIR/fp16-compute (Cast(x→fp16) → MatMul(·, W16) → Cast(→fp32)) and
/// DIR/fp32-compute (MatMul(x, Cast(W16→fp32))) with the same N×N fp16 weight and prints their largest and
/// relative RMS difference; the session memory of each is then `import-session DIR/X/model.onnx level=all;trim=1`.
/// </summary>
internal static class HalfMatMulBench
{
    public static void Run(string[] args)
    {
        int size = PerfHarness.Number(args, "--size") ?? 4096;
        string root = Directory.CreateDirectory(args[^1]).FullName;
        var random = new Random(12);
        var weight = new Half[size * size];
        for (int i = 0; i < weight.Length; i++)
        {
            weight[i] = (Half)((random.NextDouble() * 2 - 1) / Math.Sqrt(size));
        }

        foreach (bool half in new[] { true, false })
        {
            var g = new GraphBuilder("matmul", new WeightSource(1));
            var x = g.Input("x", TensorProto.Types.DataType.Float, "rows", size);
            var w = g.Parameter("w", new HalfData(weight, [size, size]));
            var y = half
                ? g.Op("Cast", [g.Op("MatMul", [g.Op("Cast", [x], Attr.Int("to", (long)TensorProto.Types.DataType.Float16)), w])], Attr.Int("to", (long)TensorProto.Types.DataType.Float))
                : g.Op("MatMul", [x, g.Op("Cast", [w], Attr.Int("to", (long)TensorProto.Types.DataType.Float))]);
            g.Output(y, "y", TensorProto.Types.DataType.Float, "rows", size);
            var folder = Directory.CreateDirectory(Path.Combine(root, half ? "fp16-compute" : "fp32-compute")).FullName;
            OnnxFileWriter.Write(OnnxFileWriter.ToModel(g, "half-matmul"), g.Deferred, Path.Combine(folder, "model.onnx"));
        }

        const int Rows = 64;
        var input = new float[Rows * size];
        for (int i = 0; i < input.Length; i++)
        {
            input[i] = (float)(random.NextDouble() * 2 - 1);
        }

        var results = new[] { "fp16-compute", "fp32-compute" }.Select(name =>
        {
            using var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
            using var session = new InferenceSession(Path.Combine(root, name, "model.onnx"), options);
            using var value = OrtValue.CreateTensorValueFromMemory(input, [Rows, size]);
            using var runOptions = new RunOptions();
            using var outputs = session.Run(runOptions, ["x"], [value], ["y"]);
            return outputs[0].GetTensorDataAsSpan<float>().ToArray();
        }).ToArray();
        double diff = 0, norm = 0, largest = 0;
        for (int i = 0; i < results[0].Length; i++)
        {
            double d = results[0][i] - results[1][i];
            diff += d * d;
            norm += (double)results[1][i] * results[1][i];
            largest = Math.Max(largest, Math.Abs(d));
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{size}x{size} fp16 weight, {Rows} rows: relative RMS {Math.Sqrt(diff / norm):E2}, largest |diff| {largest:E2}, output RMS {Math.Sqrt(norm / results[0].Length):E2}"));
    }

    private sealed class HalfData(Half[] values, long[] shape) : ITensorData
    {
        public TensorProto.Types.DataType DataType => TensorProto.Types.DataType.Float16;

        public IReadOnlyList<long> Shape => shape;

        public long ByteLength => values.Length * 2L;

        public void WriteTo(Stream destination) => destination.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()));
    }
}
