using Flux.Inference;
using Flux.Inference.Packages;
using Flux.Inference.Sessions;
using Microsoft.Extensions.Logging;

namespace Flux.Cli.Commands;

/// <summary>
/// Turns --provider into sessions on a real device, honestly: `cuda` without a usable CUDA provider is a usage error
/// saying why (CPU build, missing driver or library, no such device); `auto` falls back to the CPU with one warning on
/// standard error; the provider the sessions actually run on is what the run summary and image metadata report.
/// </summary>
internal sealed class DeviceChoice
{
    private DeviceChoice(InferenceOptions options, CudaAvailability? cuda)
    {
        Options = options;
        Cuda = cuda;
    }

    public InferenceOptions Options { get; }

    /// <summary>The probe's answer, when CUDA was considered.</summary>
    public CudaAvailability? Cuda { get; }

    public static DeviceChoice Resolve(InferenceArguments arguments, ErrorConsole errors)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        var options = arguments.ToOptions();
        if (options.ExecutionProvider == ExecutionProviderKind.Cpu)
        {
            return new DeviceChoice(options, null);
        }

        var cuda = CudaProbe.Check(options.DeviceId);
        if (cuda.Usable)
        {
            return new DeviceChoice(options, cuda);
        }

        RefuseOrFallBack(options.ExecutionProvider, cuda.Reason, errors);
        options.ExecutionProvider = ExecutionProviderKind.Cpu;
        return new DeviceChoice(options, cuda);
    }

    /// <summary>Opens the pipeline and returns it with the provider its transformer runs on ("CUDA" or "CPU").</summary>
    public (FluxPipeline Pipeline, string Provider) Open(string modelDirectory, ErrorConsole errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        var fallbacks = new FallbackLogger();
        var pipeline = FluxPipeline.Open(modelDirectory, Options, fallbacks);
        try
        {
            string provider;
            using (var lease = SessionCache.Shared.Acquire(pipeline.Package.Io[ModelComponent.Transformer].ModelFile, Options, fallbacks, captureCudaGraph: true))
            {
                provider = lease.Session.Provider;
            }

            // The probe passed but ONNX Runtime still could not create the provider (e.g. a driver too old for CUDA 13).
            if (Options.ExecutionProvider != ExecutionProviderKind.Cpu && provider != "CUDA")
            {
                RefuseOrFallBack(Options.ExecutionProvider, fallbacks.Reason ?? "ONNX Runtime could not create the CUDA provider", errors);
            }

            return (pipeline, provider);
        }
        catch
        {
            pipeline.Dispose();
            throw;
        }
    }

    /// <summary>CUDA cannot be used: a usage error when --provider cuda asked for it, else (auto) one warning that the run stays on the CPU.</summary>
    private static void RefuseOrFallBack(ExecutionProviderKind requested, string reason, ErrorConsole errors)
    {
        if (requested == ExecutionProviderKind.Cuda)
        {
            throw new CliUsageException($"--provider cuda: CUDA is not usable: {reason} (allowed here: --provider cpu or auto)");
        }

        errors.Warn($"CUDA is not usable ({reason}); running on the CPU");
    }

    /// <summary>Keeps the first warning ONNX Runtime's provider fallback logs (Flux.Inference logs it, the CLI shows it once).</summary>
    private sealed class FallbackLogger : ILogger
    {
        public string? Reason { get; private set; }

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            ArgumentNullException.ThrowIfNull(formatter);
            if (IsEnabled(logLevel))
            {
                Reason ??= formatter(state, exception);
            }
        }
    }
}
