using System.ComponentModel.DataAnnotations;

namespace Flux.Inference.Sessions;

/// <summary>Which execution provider runs the sessions.</summary>
public enum ExecutionProviderKind
{
    /// <summary>CUDA when it can be loaded, otherwise CPU (the fallback is logged).</summary>
    Auto,
    Cpu,
    /// <summary>CUDA requested; when it cannot be loaded the session falls back to CPU with a warning.</summary>
    Cuda,
}

/// <summary>How long sessions stay loaded.</summary>
public enum MemoryMode
{
    /// <summary>All sessions stay loaded for the life of the process (shared cache).</summary>
    Resident,
    /// <summary>Each stage loads its session, runs and releases it (GPUs too small for T5 plus the transformer).</summary>
    Sequential,
}

/// <summary>ONNX Runtime settings for the pipeline; bound from configuration ("Flux:Inference") and validated at start-up.</summary>
public sealed class InferenceOptions
{
    public const string SectionName = "Flux:Inference";

    public ExecutionProviderKind ExecutionProvider { get; set; } = ExecutionProviderKind.Auto;

    [Range(0, 63)]
    public int DeviceId { get; set; }

    /// <summary>Threads inside one operator; 0 lets ONNX Runtime choose.</summary>
    [Range(0, 1024)]
    public int IntraOpThreads { get; set; }

    /// <summary>
    /// Threads across operators; 0 lets ONNX Runtime choose. A value above 0 also switches to parallel
    /// execution, which doubled the transformer's run time on two cores (docs/benchmarks.md, issue 7).
    /// </summary>
    [Range(0, 1024)]
    public int InterOpThreads { get; set; }

    /// <summary>How many session runs may execute at once on one device.</summary>
    [Range(1, 64)]
    public int MaxConcurrentRunsPerDevice { get; set; } = 1;

    public MemoryMode MemoryMode { get; set; } = MemoryMode.Resident;

    /// <summary>
    /// Let ONNX Runtime's intra-op threads busy-wait for work between operators ("session.intra_op.allow_spinning").
    /// Off by default: spinning threads keep burning a core after each run, stealing it from the managed work
    /// between runs (noise, Euler update, VAE post-processing, PNG) and from other processes on the host.
    /// </summary>
    public bool AllowSpinning { get; set; }

    /// <summary>Run each session once with small inputs when it is first loaded.</summary>
    public bool WarmUp { get; set; }

    /// <summary>Throws <see cref="ValidationException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        Validator.ValidateObject(this, new ValidationContext(this), validateAllProperties: true);
        if (!Enum.IsDefined(ExecutionProvider))
        {
            throw new ValidationException($"ExecutionProvider {ExecutionProvider} is not one of auto, cpu, cuda");
        }

        if (!Enum.IsDefined(MemoryMode))
        {
            throw new ValidationException($"MemoryMode {MemoryMode} is not one of resident, sequential");
        }
    }

    internal string CacheKey => $"{ExecutionProvider}|{DeviceId}|{IntraOpThreads}|{InterOpThreads}|{AllowSpinning}";
}
