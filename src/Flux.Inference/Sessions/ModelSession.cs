using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;

namespace Flux.Inference.Sessions;

/// <summary>
/// One loaded ONNX model file. Owns its <see cref="InferenceSession"/>; runs are thread-safe, go through
/// the device's concurrency gate, are timed into <see cref="RunStatistics"/>, and turn native
/// failures into <see cref="FluxModelException"/> naming the file and tensors.
/// </summary>
public sealed class ModelSession : IDisposable
{
    private readonly InferenceSession _session;
    private readonly SemaphoreSlim _gate;
    private string? _capturedShape;

    internal ModelSession(string modelFile, InferenceSession session, string provider, SemaphoreSlim gate, bool capturesCudaGraph = false)
    {
        ModelFile = modelFile;
        _session = session;
        Provider = provider;
        _gate = gate;
        CapturesCudaGraph = capturesCudaGraph;
    }

    /// <summary>
    /// The session replays a captured CUDA graph (<see cref="InferenceOptions.CudaGraph"/> on the CUDA provider): every
    /// run must have the input shapes of the first, and bound host inputs are copied to the device only when bound.
    /// </summary>
    public bool CapturesCudaGraph { get; }

    public string ModelFile { get; }

    /// <summary>"CUDA" or "CPU": the provider the session actually runs on.</summary>
    public string Provider { get; }

    public IReadOnlyDictionary<string, NodeMetadata> Inputs => _session.InputMetadata;

    public IReadOnlyDictionary<string, NodeMetadata> Outputs => _session.OutputMetadata;

    /// <summary>A new binding for this session; the caller owns and disposes it.</summary>
    public OrtIoBinding CreateBinding() => _session.CreateIoBinding();

    /// <summary>
    /// For a session that replays a CUDA graph, refuses input shapes other than those of its first caller (the graph
    /// was captured for them); other sessions accept any shape. <paramref name="shape"/> describes every input's shape.
    /// </summary>
    public void RequireCapturedShape(string shape)
    {
        if (!CapturesCudaGraph)
        {
            return;
        }

        string captured = Interlocked.CompareExchange(ref _capturedShape, shape, null) ?? shape;
        if (!string.Equals(captured, shape, StringComparison.Ordinal))
        {
            throw new FluxModelException(
                $"{ModelFile} replays a CUDA graph captured for inputs {captured}; this run needs {shape}. With Flux:Inference:CudaGraph on, " +
                "a process serves one image size and batch size: restart it for another, or turn CudaGraph off", ModelFile);
        }
    }

    /// <summary>Starts a series of runs sharing one <see cref="RunOptions"/> that the token terminates.</summary>
    public SessionRunScope BeginRuns(CancellationToken cancellationToken) => new(this, cancellationToken);

    /// <param name="bindInputs">Binds the inputs inside the device gate, so no other run binds in between (a CUDA graph copies bound host inputs into buffers the session shares).</param>
    internal void Run(RunOptions options, OrtIoBinding binding, string tensorNames, CancellationToken cancellationToken, Action<OrtIoBinding>? bindInputs = null)
    {
        _gate.Wait(cancellationToken);
        try
        {
            bindInputs?.Invoke(binding);
            long start = Stopwatch.GetTimestamp();
            try
            {
                _session.RunWithBinding(options, binding);
            }
            catch (OnnxRuntimeException ex) when (cancellationToken.IsCancellationRequested)
            {
                throw new OperationCanceledException($"run of {ModelFile} was cancelled", ex, cancellationToken);
            }
            catch (OnnxRuntimeException ex)
            {
                throw OrtFailures.Run(ex, ModelFile, tensorNames);
            }
            finally
            {
                RunStatistics.Record(Stopwatch.GetTimestamp() - start);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose() => _session.Dispose();
}

/// <summary>
/// One <see cref="RunOptions"/> for a series of runs (a stage), terminated when the token is cancelled;
/// the registration and the options are disposed with the scope. Nothing is allocated per run.
/// </summary>
public sealed class SessionRunScope : IDisposable
{
    private readonly ModelSession _session;
    private readonly RunOptions _options = new();
    private readonly CancellationToken _cancellationToken;
    private readonly CancellationTokenRegistration _registration;

    internal SessionRunScope(ModelSession session, CancellationToken cancellationToken)
    {
        _session = session;
        _cancellationToken = cancellationToken;
        _registration = cancellationToken.Register(static state => ((RunOptions)state!).Terminate = true, _options);
    }

    /// <summary>
    /// Runs the session on a binding; <paramref name="tensorNames"/> goes into error messages, and
    /// <paramref name="bindInputs"/> (if any) binds inputs just before the run, while no other run can start on the device.
    /// </summary>
    public void Run(OrtIoBinding binding, string tensorNames, Action<OrtIoBinding>? bindInputs = null)
    {
        _cancellationToken.ThrowIfCancellationRequested();
        _session.Run(_options, binding, tensorNames, _cancellationToken, bindInputs);
    }

    public void Dispose()
    {
        _registration.Dispose();
        _options.Dispose();
    }
}
