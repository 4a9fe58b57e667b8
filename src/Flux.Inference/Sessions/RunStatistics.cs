namespace Flux.Inference.Sessions;

/// <summary>
/// Accumulates the wall time spent inside raw ONNX Runtime runs, so a benchmark can compare it with
/// end-to-end time (the difference is pipeline overhead). Thread-safe, allocation-free per run.
/// Runs count into <see cref="Global"/> and into the statistics of every <see cref="BeginScope"/> open on
/// the calling async flow, so a measurement sees only its own runs even when other work shares the process
/// (tests in parallel, a worker rendering several images).
/// </summary>
public sealed class RunStatistics
{
    private static readonly AsyncLocal<RunStatistics?> s_current = new();

    private readonly RunStatistics? _outer;
    private long _ticks;
    private long _runs;

    public RunStatistics()
    {
    }

    private RunStatistics(RunStatistics? outer) => _outer = outer;

    /// <summary>Process-wide totals over every session.</summary>
    public static RunStatistics Global { get; } = new();

    public long Runs => Interlocked.Read(ref _runs);

    public TimeSpan Elapsed => System.Diagnostics.Stopwatch.GetElapsedTime(0, Interlocked.Read(ref _ticks));

    /// <summary>
    /// Starts counting the runs made on this async flow (and the tasks it starts) into fresh statistics,
    /// until the returned scope is disposed. Scopes nest: an inner scope's runs also count in the outer one.
    /// </summary>
    public static Scope BeginScope()
    {
        var statistics = new RunStatistics(s_current.Value);
        s_current.Value = statistics;
        return new Scope(statistics);
    }

    /// <summary>Records one run into <see cref="Global"/> and every scope open on this async flow.</summary>
    public static void Record(long stopwatchTicks)
    {
        Global.Add(stopwatchTicks);
        for (var scoped = s_current.Value; scoped is not null; scoped = scoped._outer)
        {
            scoped.Add(stopwatchTicks);
        }
    }

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

    /// <summary>An open measurement; dispose it on the flow that began it.</summary>
    public readonly struct Scope : IDisposable
    {
        internal Scope(RunStatistics statistics) => Statistics = statistics;

        public RunStatistics Statistics { get; }

        public void Dispose() => s_current.Value = Statistics._outer;
    }
}
