using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;

namespace Flux.Benchmarks.Perf;

/// <summary>
/// A session whose every tensor is preallocated and bound once, timed run by run: what the harness's
/// runs (<see cref="TransformerStep"/>, <see cref="MatMulReference"/>) share. Owns the session, the
/// binding, the run options and every value it binds.
/// </summary>
internal abstract class BoundSessionRun : ITimedRun
{
    private readonly List<OrtValue> _owned = [];
    private readonly OrtIoBinding _binding;
    private readonly RunOptions _runOptions = new();

    protected BoundSessionRun(InferenceSession session)
    {
        Session = session;
        _binding = session.CreateIoBinding();
    }

    public double Flops { get; protected init; }

    protected InferenceSession Session { get; }

    /// <summary>Full graph optimisation and no spinning while idle, as the pipeline's sessions run.</summary>
    protected static SessionOptions CreateSessionOptions()
    {
        var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
        options.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        return options;
    }

    protected void BindInput(string name, float[] data, params long[] shape) => _binding.BindInput(name, Own(data, shape));

    protected void BindOutput(string name, float[] data, params long[] shape) => _binding.BindOutput(name, Own(data, shape));

    /// <summary>The first run, which pays for allocation and kernel set-up; call once everything is bound.</summary>
    protected void WarmUp() => Session.RunWithBinding(_runOptions, _binding);

    public double LastCpuMilliseconds { get; private set; }

    public double Run()
    {
        var cpu = Environment.CpuUsage.TotalTime;
        long start = Stopwatch.GetTimestamp();
        Session.RunWithBinding(_runOptions, _binding);
        double wall = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        LastCpuMilliseconds = (Environment.CpuUsage.TotalTime - cpu).TotalMilliseconds;
        return wall;
    }

    public void Dispose()
    {
        _binding.Dispose();
        _owned.ForEach(v => v.Dispose());
        _runOptions.Dispose();
        Session.Dispose();
    }

    private OrtValue Own(float[] data, long[] shape)
    {
        var value = OrtValue.CreateTensorValueFromMemory(data, shape);
        _owned.Add(value);
        return value;
    }
}
