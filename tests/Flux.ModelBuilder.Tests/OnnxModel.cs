using Microsoft.ML.OnnxRuntime;

namespace Flux.ModelBuilder.Tests;

/// <summary>One ONNX Runtime session on the CPU provider, run with inputs bound by name.</summary>
public sealed class OnnxModel : IDisposable
{
    private readonly SessionOptions _options;

    public OnnxModel(string path)
    {
        _options = new SessionOptions { IntraOpNumThreads = 2, LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR };
        Session = new InferenceSession(path, _options);
    }

    public InferenceSession Session { get; }

    public static Input Floats(float[] values, params long[] shape) => new(values, null, shape);

    public static Input Int64s(long[] values, params long[] shape) => new(null, values, shape);

    /// <summary>Runs the model and returns the named output's values.</summary>
    public float[] Run(string output, IReadOnlyDictionary<string, Input> inputs)
    {
        var values = new List<OrtValue>();
        try
        {
            foreach (var input in inputs.Values)
            {
                values.Add(input.Floats is not null
                    ? OrtValue.CreateTensorValueFromMemory(input.Floats, input.Shape)
                    : OrtValue.CreateTensorValueFromMemory(input.Int64s!, input.Shape));
            }

            using var runOptions = new RunOptions();
            using var results = Session.Run(runOptions, inputs.Keys.ToList(), values, [output]);
            return results[0].GetTensorDataAsSpan<float>().ToArray();
        }
        finally
        {
            values.ForEach(v => v.Dispose());
        }
    }

    public void Dispose()
    {
        Session.Dispose();
        _options.Dispose();
    }

    public sealed record Input(float[]? Floats, long[]? Int64s, long[] Shape)
    {
        /// <summary>The first item of a batched float input, with batch size 1.</summary>
        public Input FirstItem()
        {
            var shape = (long[])Shape.Clone();
            shape[0] = 1;
            return new Input(Floats![..(Floats.Length / (int)Shape[0])], null, shape);
        }
    }
}
