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

    internal ModelSession(string modelFile, InferenceSession session, string provider, SemaphoreSlim gate)
    {
        ModelFile = modelFile;
        _session = session;
        Provider = provider;
        _gate = gate;
    }

    public string ModelFile { get; }

    /// <summary>"CUDA" or "CPU": the provider the session actually runs on.</summary>
    public string Provider { get; }

    public IReadOnlyDictionary<string, NodeMetadata> Inputs => _session.InputMetadata;

    public IReadOnlyDictionary<string, NodeMetadata> Outputs => _session.OutputMetadata;

    /// <summary>A new binding for this session; the caller owns and disposes it.</summary>
    public OrtIoBinding CreateBinding() => _session.CreateIoBinding();

    /// <summary>Starts a series of runs sharing one <see cref="RunOptions"/> that the token terminates.</summary>
    public SessionRunScope BeginRuns(CancellationToken cancellationToken) => new(this, cancellationToken);

    internal void Run(RunOptions options, OrtIoBinding binding, string tensorNames, CancellationToken cancellationToken)
    {
        _gate.Wait(cancellationToken);
        try
        {
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

    /// <summary>Runs the session on a binding; <paramref name="tensorNames"/> goes into error messages.</summary>
    public void Run(OrtIoBinding binding, string tensorNames)
    {
        _cancellationToken.ThrowIfCancellationRequested();
        _session.Run(_options, binding, tensorNames, _cancellationToken);
    }

    public void Dispose()
    {
        _registration.Dispose();
        _options.Dispose();
    }
}
