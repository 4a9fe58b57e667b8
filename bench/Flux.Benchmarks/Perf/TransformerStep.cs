using System.Diagnostics;
using Flux.Core;
using Flux.ModelBuilder.Tiny;
using Microsoft.ML.OnnxRuntime;

namespace Flux.Benchmarks.Perf;

/// <summary>Times one transformer evaluation (B = 1) of a tiny package at L tokens, every tensor preallocated and bound once.</summary>
internal static class TransformerStep
{
    /// <summary>Fastest of <paramref name="repetitions"/> runs after one warm-up, in milliseconds.</summary>
    public static double Milliseconds(TinyFluxOptions o, int side, int repetitions)
    {
        string dir = PerfPackages.Tiny(o);
        var size = ImageSize.Create(side, side);
        int l = size.SequenceLength, t = o.TextLength;
        using var sessionOptions = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
        using var session = new InferenceSession(Path.Combine(dir, "transformer", "model.onnx"), sessionOptions);
        var owned = new List<OrtValue>();
        using var binding = session.CreateIoBinding();
        try
        {
            float[] x = new float[size.PackedLength];   // (1, L, 64)
            PhiloxNoise.Fill(1, 0, x);
            Bind("hidden_states", x, 1, l, FluxConstants.PackedChannels);
            Bind("encoder_hidden_states", new float[t * o.T5Width], 1, t, o.T5Width);
            Bind("pooled_projections", new float[TinyFluxOptions.PooledWidth], 1, TinyFluxOptions.PooledWidth);
            Bind("timestep", [0.5f], 1);
            Bind("img_ids", LatentLayout.ImageIds(size), l, FluxConstants.PositionAxes);
            Bind("txt_ids", LatentLayout.TextIds(t), t, FluxConstants.PositionAxes);
            if (o.Variant == FluxVariant.Dev)
            {
                Bind("guidance", [3.5f], 1);
            }

            var velocity = OrtValue.CreateTensorValueFromMemory(new float[size.PackedLength], [1, l, FluxConstants.PackedChannels]);
            owned.Add(velocity);
            binding.BindOutput(o.TransformerOutputName, velocity);
            using var runOptions = new RunOptions();
            session.RunWithBinding(runOptions, binding);
            double best = double.MaxValue;
            for (int r = 0; r < repetitions; r++)
            {
                long start = Stopwatch.GetTimestamp();
                session.RunWithBinding(runOptions, binding);
                best = Math.Min(best, Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            }

            return best;
        }
        finally
        {
            owned.ForEach(v => v.Dispose());
        }

        void Bind(string name, float[] data, params long[] shape)
        {
            var value = OrtValue.CreateTensorValueFromMemory(data, shape);
            owned.Add(value);
            binding.BindInput(name, value);
        }
    }
}
