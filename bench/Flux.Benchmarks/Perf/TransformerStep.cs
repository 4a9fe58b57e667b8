using System.Diagnostics;
using Flux.Core;
using Flux.ModelBuilder.Tiny;
using Microsoft.ML.OnnxRuntime;

namespace Flux.Benchmarks.Perf;

/// <summary>One transformer evaluation (B = 1) of a tiny package at L tokens, every tensor preallocated and bound once.</summary>
internal sealed class TransformerStep : ITimedRun
{
    private readonly List<IDisposable> _owned = [];
    private readonly InferenceSession _session;
    private readonly OrtIoBinding _binding;
    private readonly RunOptions _runOptions = new();

    public TransformerStep(TinyFluxOptions o, int side, bool profile = false)
    {
        string dir = PerfPackages.Tiny(o);
        var size = ImageSize.Create(side, side);
        int l = size.SequenceLength, t = o.TextLength;
        Flops = TransformerFlops.PerStep(o, l);
        // The prefix must be set before profiling is enabled (ONNX Runtime reads it then).
        using var sessionOptions = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            ProfileOutputPathPrefix = Path.Combine(Path.GetTempPath(), "flux-profile"),
            EnableProfiling = profile,
        };
        sessionOptions.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        _session = new InferenceSession(Path.Combine(dir, "transformer", "model.onnx"), sessionOptions);
        _binding = _session.CreateIoBinding();
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
        _owned.Add(velocity);
        _binding.BindOutput(o.TransformerOutputName, velocity);
        _session.RunWithBinding(_runOptions, _binding);   // warm-up
    }

    public double Flops { get; }

    public double Run()
    {
        long start = Stopwatch.GetTimestamp();
        _session.RunWithBinding(_runOptions, _binding);
        return Stopwatch.GetElapsedTime(start).TotalMilliseconds;
    }

    /// <summary>Ends profiling and returns the JSON file ONNX Runtime wrote.</summary>
    public string EndProfiling() => _session.EndProfiling();

    public void Dispose()
    {
        _binding.Dispose();
        _owned.ForEach(v => v.Dispose());
        _runOptions.Dispose();
        _session.Dispose();
    }

    private void Bind(string name, float[] data, params long[] shape)
    {
        var value = OrtValue.CreateTensorValueFromMemory(data, shape);
        _owned.Add(value);
        _binding.BindInput(name, value);
    }
}

/// <summary>Something timed run by run; <see cref="RoundRobin"/> alternates several so machine load hits them alike.</summary>
internal interface ITimedRun : IDisposable
{
    double Flops { get; }

    /// <summary>One run, in milliseconds.</summary>
    double Run();
}

internal static class RoundRobin
{
    /// <summary>Fastest time of each run over <paramref name="rounds"/> rounds, in milliseconds.</summary>
    public static double[] Fastest(IReadOnlyList<ITimedRun> runs, int rounds)
    {
        double[] best = [.. runs.Select(_ => double.MaxValue)];
        for (int r = 0; r < rounds; r++)
        {
            for (int i = 0; i < runs.Count; i++)
            {
                best[i] = Math.Min(best[i], runs[i].Run());
            }
        }

        return best;
    }
}
