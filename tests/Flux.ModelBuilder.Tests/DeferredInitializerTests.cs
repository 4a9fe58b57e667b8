using System.Runtime.InteropServices;
using Flux.ModelBuilder.Onnx;
using Microsoft.ML.OnnxRuntime;
using Onnx;
using static Onnx.TensorProto.Types;

namespace Flux.ModelBuilder.Tests;

/// <summary>Initializers streamed from a source at write time (the importer's path) load and compute like inline ones.</summary>
public sealed class DeferredInitializerTests
{
    private class FloatData(float[] values, params long[] shape) : ITensorData
    {
        public int Writes { get; private set; }

        public DataType DataType => DataType.Float;

        public IReadOnlyList<long> Shape => shape;

        public long ByteLength => values.Length * sizeof(float);

        public virtual void WriteTo(Stream destination)
        {
            Writes++;
            destination.Write(MemoryMarshal.AsBytes(values.AsSpan()));
        }
    }

    /// <summary>Declares its shape's byte count but writes one value short.</summary>
    private sealed class ShortData(int count) : FloatData(new float[count], count)
    {
        public override void WriteTo(Stream destination) => destination.Write(new byte[(count - 1) * sizeof(float)]);
    }

    [Fact]
    public void DeferredWeights_AreStreamedToExternalData_AndTheModelComputesWithThem()
    {
        const int inputs = 300, outputs = 2;   // 2400 bytes: external; the bias (8 bytes) stays inline
        var weight = new float[outputs * inputs];
        for (int i = 0; i < weight.Length; i++)
        {
            weight[i] = (i % inputs) * (i < inputs ? 1f : -0.5f);
        }

        var weightData = new FloatData(weight, outputs, inputs);
        var biasData = new FloatData([10f, 20f], outputs);
        var g = new GraphBuilder("deferred", new WeightSource(0));
        var x = g.Input("x", DataType.Float, 1, inputs);
        var y = g.Op("Add", [g.Op("MatMul", [x, g.Op("Transpose", [g.Parameter("w", weightData)], Attr.Ints("perm", 1, 0))]), g.Parameter("b", biasData)]);
        g.Output(y, "y", DataType.Float, 1, outputs);

        using var dir = new TempDirectory();
        var path = Path.Combine(dir.Path, "model.onnx");
        OnnxFileWriter.Write(OnnxFileWriter.ToModel(g, "test"), g.Deferred, path);

        Assert.Equal(1, weightData.Writes);
        Assert.True(new FileInfo(path + OnnxFileWriter.ExternalDataSuffix).Length >= weightData.ByteLength);
        Assert.True(new FileInfo(path).Length < weightData.ByteLength, "the weight must not be inline in model.onnx");

        using var session = new InferenceSession(path);
        var input = Enumerable.Repeat(1f, inputs).ToArray();
        using var value = OrtValue.CreateTensorValueFromMemory(input, [1, inputs]);
        using var results = session.Run(new RunOptions(), ["x"], [value], ["y"]);
        var output = results[0].GetTensorDataAsSpan<float>().ToArray();
        float rowSum = inputs * (inputs - 1) / 2f;   // sum of 0..299
        Assert.Equal([rowSum + 10f, -0.5f * rowSum + 20f], output);
    }

    [Fact]
    public void ASourceWritingTheWrongByteCount_IsRefusedNamingTheInitializer()
    {
        var g = new GraphBuilder("deferred", new WeightSource(0));
        var x = g.Input("x", DataType.Float, 1, 400);
        g.Output(g.Op("Mul", [x, g.Parameter("scale", new ShortData(400))]), "y", DataType.Float, 1, 400);
        using var dir = new TempDirectory();
        var error = Assert.Throws<InvalidOperationException>(() =>
            OnnxFileWriter.Write(OnnxFileWriter.ToModel(g, "test"), g.Deferred, Path.Combine(dir.Path, "model.onnx")));
        Assert.Contains("'scale'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ASourceWhoseByteLengthDisagreesWithItsShape_IsRefusedWhenAdded()
    {
        var g = new GraphBuilder("deferred", new WeightSource(0));
        var error = Assert.Throws<InvalidOperationException>(() => g.Parameter("w", new FloatData(new float[6], 2, 4)));
        Assert.Contains("'w'", error.Message, StringComparison.Ordinal);
    }
}
