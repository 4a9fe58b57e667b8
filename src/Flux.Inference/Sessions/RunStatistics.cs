namespace Flux.Inference.Sessions;

/// <summary>
/// Accumulates the wall time spent inside raw ONNX Runtime runs, so a benchmark can compare it with
/// end-to-end time (the difference is pipeline overhead). Thread-safe, allocation-free.
/// </summary>
public sealed class RunStatistics
{
    private long _ticks;
    private long _runs;

    /// <summary>Process-wide totals over every session.</summary>
    public static RunStatistics Global { get; } = new();

    public long Runs => Interlocked.Read(ref _runs);

    public TimeSpan Elapsed => System.Diagnostics.Stopwatch.GetElapsedTime(0, Interlocked.Read(ref _ticks));

    public void Add(long stopwatchTicks)
    {
        Interlocked.Add(ref _ticks, stopwatchTicks);
        Interlocked.Increment(ref _runs);
    }

    public void Reset()
    {
        Interlocked.Exchange(ref _ticks, 0);
        Interlocked.Exchange(ref _runs, 0);
    }
}
