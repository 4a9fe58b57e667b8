using Flux.Core;
using Flux.ModelBuilder.Tiny;
using Microsoft.ML.OnnxRuntime;

namespace Flux.Benchmarks.Perf;

/// <summary>One transformer evaluation (B = 1) of a tiny package at L tokens, every tensor preallocated and bound once.</summary>
internal sealed class TransformerStep : BoundSessionRun
{
    /// <param name="randomConditioning">Standard normal T5 and pooled inputs instead of zeros (for comparing outputs, issue 12's int4 error).</param>
    public TransformerStep(TinyFluxOptions o, int side, bool profile = false, bool randomConditioning = false)
        : base(CreateSession(o, profile))
    {
        var size = ImageSize.Create(side, side);
        int l = size.SequenceLength, t = o.TextLength;
        Flops = TransformerFlops.PerStep(o, l);
        float[] x = new float[size.PackedLength];   // (1, L, 64)
        PhiloxNoise.Fill(1, 0, x);
        BindInput("hidden_states", x, 1, l, FluxConstants.PackedChannels);
        float[] text = new float[t * o.T5Width], pooled = new float[TinyFluxOptions.PooledWidth];
        if (randomConditioning)
        {
            PhiloxNoise.Fill(2, 0, text);
            PhiloxNoise.Fill(3, 0, pooled);
        }

        BindInput("encoder_hidden_states", text, 1, t, o.T5Width);
        BindInput("pooled_projections", pooled, 1, TinyFluxOptions.PooledWidth);
        BindInput("timestep", [0.5f], 1);
        BindInput("img_ids", LatentLayout.ImageIds(size), l, FluxConstants.PositionAxes);
        BindInput("txt_ids", LatentLayout.TextIds(t), t, FluxConstants.PositionAxes);
        if (o.Variant == FluxVariant.Dev)
        {
            BindInput("guidance", [3.5f], 1);
        }

        Output = new float[size.PackedLength];
        BindOutput(o.TransformerOutputName, Output, 1, l, FluxConstants.PackedChannels);
        WarmUp();
    }

    /// <summary>The velocity of the last run, (1, L, 64).</summary>
    public float[] Output { get; }

    /// <summary>Ends profiling and returns the JSON file ONNX Runtime wrote.</summary>
    public string EndProfiling() => Session.EndProfiling();

    private static InferenceSession CreateSession(TinyFluxOptions o, bool profile)
    {
        using var sessionOptions = CreateSessionOptions();
        // The prefix must be set before profiling is enabled (ONNX Runtime reads it then).
        sessionOptions.ProfileOutputPathPrefix = Path.Combine(Path.GetTempPath(), "flux-profile");
        sessionOptions.EnableProfiling = profile;
        if (profile)
        {
            // The graph as ONNX Runtime runs it, after its fusions: which kernels the profile's operators are.
            sessionOptions.OptimizedModelFilePath = Path.Combine(Path.GetTempPath(), "flux-profile-optimized.onnx");
        }

        return new InferenceSession(PerfPackages.Transformer(o).Path, sessionOptions);
    }
}

/// <summary>Something timed run by run; <see cref="RoundRobin"/> alternates several so machine load hits them alike.</summary>
internal interface ITimedRun : IDisposable
{
    double Flops { get; }

    /// <summary>One run, in milliseconds.</summary>
    double Run();

    /// <summary>
    /// CPU time of the last <see cref="Run"/> summed over the process's threads, in milliseconds. On a host shared
    /// with other work it counts what the run computed and not the time its threads waited for a core, so ratios
    /// of it stay put when wall times swing with the load.
    /// </summary>
    double LastCpuMilliseconds { get; }
}

internal static class RoundRobin
{
    /// <summary>Fastest time of each run over <paramref name="rounds"/> rounds, in milliseconds.</summary>
    public static double[] Fastest(IReadOnlyList<ITimedRun> runs, int rounds) => FastestWithCpu(runs, rounds).WallMs;

    /// <summary>Fastest wall time and least CPU time of each run over <paramref name="rounds"/> rounds, in milliseconds.</summary>
    public static (double[] WallMs, double[] CpuMs) FastestWithCpu(IReadOnlyList<ITimedRun> runs, int rounds)
    {
        double[] best = [.. runs.Select(_ => double.MaxValue)];
        double[] cpu = [.. best];
        for (int r = 0; r < rounds; r++)
        {
            for (int i = 0; i < runs.Count; i++)
            {
                best[i] = Math.Min(best[i], runs[i].Run());
                cpu[i] = Math.Min(cpu[i], runs[i].LastCpuMilliseconds);
            }
        }

        return (best, cpu);
    }
}
