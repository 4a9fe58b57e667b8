using Flux.Inference.Packages;
using Flux.Inference.Sessions;
using Flux.Inference.Tensors;
using Microsoft.ML.OnnxRuntime;

namespace Flux.Inference.Stages;

/// <summary>
/// Runs a session once (text encoders, VAE): inputs bound by name from preallocated buffers, one output
/// bound by name and allocated by ONNX Runtime, returned as float32 with its shape.
/// </summary>
internal static class OneShotRun
{
    public static (float[] Values, long[] Shape) Run(
        ModelSession session,
        IReadOnlyList<(TensorBinding Binding, TensorBuffer Buffer)> inputs,
        TensorBinding output,
        CancellationToken cancellationToken)
    {
        using var binding = Execute(session, inputs, output, b => b.BindOutputToDevice(output.Name, OrtMemoryInfo.DefaultInstance), cancellationToken);
        using var results = binding.GetOutputValues();
        var value = results.First();
        var info = value.GetTensorTypeAndShape();
        float[] values = new float[info.ElementCount];
        ElementConversion.ToFloat(value.GetTensorMutableRawData(), info.ElementDataType, values);
        return (values, info.Shape);
    }

    /// <summary>Runs once with the output bound to a preallocated buffer of the shape the pipeline needs.</summary>
    public static void RunInto(
        ModelSession session,
        IReadOnlyList<(TensorBinding Binding, TensorBuffer Buffer)> inputs,
        TensorBinding output,
        TensorBuffer outputBuffer,
        CancellationToken cancellationToken)
    {
        using var binding = Execute(session, inputs, output, b => b.BindOutput(output.Name, outputBuffer.Value), cancellationToken);
    }

    /// <summary>Binds the inputs by name, lets <paramref name="bindOutput"/> bind the output, runs; the caller owns the binding.</summary>
    private static OrtIoBinding Execute(
        ModelSession session,
        IReadOnlyList<(TensorBinding Binding, TensorBuffer Buffer)> inputs,
        TensorBinding output,
        Action<OrtIoBinding> bindOutput,
        CancellationToken cancellationToken)
    {
        var binding = session.CreateBinding();
        try
        {
            foreach (var (input, buffer) in inputs)
            {
                binding.BindInput(input.Name, buffer.Value);
            }

            bindOutput(binding);
            using var scope = session.BeginRuns(cancellationToken);
            scope.Run(binding, string.Join(", ", inputs.Select(i => i.Binding.Name).Append(output.Name)));
            return binding;
        }
        catch
        {
            binding.Dispose();
            throw;
        }
    }

    /// <summary>Throws when an output's shape differs from what the pipeline needs.</summary>
    public static void ExpectShape(string modelFile, TensorBinding output, long[] actual, params long[] expected)
    {
        if (!actual.AsSpan().SequenceEqual(expected))
        {
            throw new FluxModelException(
                $"model file {modelFile}: output '{output.Name}' came back with shape ({string.Join(", ", actual)}) but ({string.Join(", ", expected)}) was expected",
                modelFile,
                output.Name);
        }
    }
}
