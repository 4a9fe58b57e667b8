using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.ML.OnnxRuntime;

namespace Flux.Inference.Sessions;

/// <summary>
/// One <see cref="ModelSession"/> per model file (and provider settings) per process, shared by every
/// pipeline. Callers hold a <see cref="SessionLease"/>; a session acquired for sequential use is released
/// when its last lease ends, a resident one stays loaded.
/// </summary>
public sealed class SessionCache
{
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<int, bool> CudaUnavailable = new();
    private static readonly Lazy<OrtEnv> Environment = new(() =>
    {
        // Provider-load failures come back as exceptions and are logged by us once; keep ONNX Runtime's
        // own console logger for fatal errors only.
        var env = OrtEnv.Instance();
        env.EnvLogLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL;
        return env;
    });

    private readonly Lock _sync = new();
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, int> _loads = new(StringComparer.Ordinal);

    public static SessionCache Shared { get; } = new();

    /// <summary>Number of sessions currently loaded (or loading).</summary>
    public int Count
    {
        get
        {
            lock (_sync)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>
    /// How many times this cache has loaded <paramref name="modelFile"/> (with any provider settings): what a
    /// session load costs is paid this many times. Sequential memory mode loads a file once per stage.
    /// </summary>
    public int LoadCount(string modelFile) => _loads.GetValueOrDefault(Path.GetFullPath(modelFile));

    /// <param name="captureCudaGraph">
    /// On the CUDA provider, and with <see cref="InferenceOptions.CudaGraph"/> set, the session captures its kernels as a CUDA
    /// graph (the transformer, which runs once per step; the encoders and VAE run once per image and gain nothing).
    /// </param>
    public SessionLease Acquire(string modelFile, InferenceOptions options, ILogger? logger = null, bool releaseWhenUnused = false, bool captureCudaGraph = false)
    {
        ArgumentNullException.ThrowIfNull(options);
        logger ??= NullLogger.Instance;
        captureCudaGraph &= options.CudaGraph;
        string path = Path.GetFullPath(modelFile);
        string key = path + "|" + options.CacheKey + (captureCudaGraph ? "|graph" : string.Empty);
        Entry entry;
        lock (_sync)
        {
            if (!_entries.TryGetValue(key, out entry!))
            {
                entry = new Entry(new Lazy<ModelSession>(
                    () =>
                    {
                        _loads.AddOrUpdate(path, 1, (_, loads) => loads + 1);
                        return Load(path, options, captureCudaGraph, logger);
                    },
                    LazyThreadSafetyMode.ExecutionAndPublication));
                _entries.Add(key, entry);
            }

            entry.Leases++;
        }

        try
        {
            return new SessionLease(this, key, entry.Session.Value, releaseWhenUnused, logger);
        }
        catch
        {
            lock (_sync)
            {
                entry.Leases--;
                if (_entries.TryGetValue(key, out var current) && ReferenceEquals(current, entry))
                {
                    _entries.Remove(key);
                }
            }

            throw;
        }
    }

    internal void Release(string key, bool releaseWhenUnused, ILogger logger)
    {
        ModelSession? toDispose = null;
        lock (_sync)
        {
            if (_entries.TryGetValue(key, out var entry) && --entry.Leases == 0 && releaseWhenUnused)
            {
                _entries.Remove(key);
                toDispose = entry.Session.Value;
            }
        }

        if (toDispose is not null)
        {
            Log.SessionReleased(logger, toDispose.ModelFile);
            toDispose.Dispose();
        }
    }

    private static ModelSession Load(string path, InferenceOptions options, bool captureCudaGraph, ILogger logger)
    {
        if (!File.Exists(path))
        {
            throw new FluxModelException($"model file {path} is missing", path);
        }

        _ = Environment.Value;
        long start = Stopwatch.GetTimestamp();
        bool wantCuda = options.ExecutionProvider != ExecutionProviderKind.Cpu && !CudaUnavailable.ContainsKey(options.DeviceId);
        if (wantCuda && captureCudaGraph)
        {
            // ONNX Runtime refuses a capture when a node would run off the GPU; the session then runs uncaptured on CUDA
            // rather than on the CPU (a failure to load CUDA at all is the next attempt's to report).
            if (TryCreate(path, options, useCuda: true, captureCudaGraph: true, out var capturing, out var refusal) && capturing is not null)
            {
                return Loaded(capturing, "CUDA", capturesCudaGraph: true);
            }

            Log.CudaGraphRefused(logger, path, refusal!.Message);
        }

        if (wantCuda && TryLoad(path, options, useCuda: true, captureCudaGraph: false, logger, out var cudaSession) && cudaSession is not null)
        {
            return Loaded(cudaSession, "CUDA");
        }

        TryLoad(path, options, useCuda: false, captureCudaGraph: false, logger, out var cpuSession);
        return Loaded(cpuSession ?? throw new InvalidOperationException("CPU session creation returned no session"), "CPU");

        ModelSession Loaded(InferenceSession session, string provider, bool capturesCudaGraph = false)
        {
            string device = provider == "CPU" ? "CPU" : $"CUDA:{options.DeviceId}";
            Log.SessionLoaded(logger, path, provider, options.DeviceId, (long)Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            return new ModelSession(path, session, provider, DeviceGate.For(device, options.MaxConcurrentRunsPerDevice), capturesCudaGraph);
        }
    }

    /// <summary>Creates the session; a CUDA attempt that fails returns false (logged), a CPU failure throws.</summary>
    private static bool TryLoad(string path, InferenceOptions options, bool useCuda, bool captureCudaGraph, ILogger logger, out InferenceSession? session)
    {
        if (TryCreate(path, options, useCuda, captureCudaGraph, out session, out var failure))
        {
            return true;
        }

        if (!useCuda)
        {
            throw OrtFailures.Load(failure!, path);
        }

        CudaUnavailable.TryAdd(options.DeviceId, true);
        Log.CudaFallback(logger, path, options.DeviceId, failure!.Message);
        return false;
    }

    /// <summary>Creates the session, or returns false with ONNX Runtime's failure.</summary>
    private static bool TryCreate(string path, InferenceOptions options, bool useCuda, bool captureCudaGraph, out InferenceSession? session, out OnnxRuntimeException? failure)
    {
        session = null;
        failure = null;
        using var sessionOptions = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR,
        };
        sessionOptions.AddSessionConfigEntry("session.intra_op.allow_spinning", options.AllowSpinning ? "1" : "0");
        sessionOptions.AddSessionConfigEntry("session.inter_op.allow_spinning", options.AllowSpinning ? "1" : "0");
        if (options.IntraOpThreads > 0)
        {
            sessionOptions.IntraOpNumThreads = options.IntraOpThreads;
        }

        if (options.InterOpThreads > 0)
        {
            sessionOptions.InterOpNumThreads = options.InterOpThreads;
            sessionOptions.ExecutionMode = ExecutionMode.ORT_PARALLEL;
        }

        try
        {
            if (useCuda && captureCudaGraph)
            {
                using var cuda = new OrtCUDAProviderOptions();
                cuda.UpdateOptions(new Dictionary<string, string>(options.CudaProviderOptions(captureGraph: true)));
                sessionOptions.AppendExecutionProvider_CUDA(cuda);
            }
            else if (useCuda)
            {
                sessionOptions.AppendExecutionProvider_CUDA(options.DeviceId);
            }

            session = new InferenceSession(path, sessionOptions);
            NativeHeap.ReleaseFreePages();   // the weight copies graph optimization freed (twice the fp32 size for fp16/bf16 packages)
            return true;
        }
        catch (OnnxRuntimeException ex)
        {
            failure = ex;
            return false;
        }
    }

    private sealed class Entry(Lazy<ModelSession> session)
    {
        public Lazy<ModelSession> Session { get; } = session;

        public int Leases { get; set; }
    }
}

/// <summary>A hold on a shared session; dispose it when the stage that needed the session is done.</summary>
public sealed class SessionLease : IDisposable
{
    private readonly SessionCache _cache;
    private readonly string _key;
    private readonly bool _releaseWhenUnused;
    private readonly ILogger _logger;
    private int _disposed;

    internal SessionLease(SessionCache cache, string key, ModelSession session, bool releaseWhenUnused, ILogger logger)
    {
        _cache = cache;
        _key = key;
        Session = session;
        _releaseWhenUnused = releaseWhenUnused;
        _logger = logger;
    }

    public ModelSession Session { get; }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _cache.Release(_key, _releaseWhenUnused, _logger);
        }
    }
}
