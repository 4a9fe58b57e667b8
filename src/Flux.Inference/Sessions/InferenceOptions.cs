using System.ComponentModel.DataAnnotations;
using Flux.Inference.Packages;

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

    /// <summary>
    /// Capture the transformer's CUDA kernels as one CUDA graph and replay it on later steps (the CUDA provider's
    /// <c>enable_cuda_graph</c>), which removes the per-kernel launch cost. A captured graph keeps the shapes and device
    /// addresses of its first runs, so it needs the CUDA provider, one image size and batch per process (a run with
    /// another shape is refused), no warm-up at another size, and one run at a time per device (docs/gpu.md).
    /// </summary>
    public bool CudaGraph { get; set; }

    /// <summary>
    /// Run the text encoders (CLIP and T5) on the CPU, from host memory, whatever <see cref="ExecutionProvider"/> says; the
    /// transformer and the VAE stay on the device. T5-XXL holds about 19 GB of fp32 weights, more than a 16 or 24 GB GPU has
    /// beside an int4 transformer (~7 GB); it runs once per prompt, so the CPU costs seconds per image, not per step.
    /// </summary>
    public bool TextEncodersOnCpu { get; set; }

    /// <summary>The settings <paramref name="component"/>'s session is created with: the CPU provider for the text encoders when <see cref="TextEncodersOnCpu"/> is set.</summary>
    internal InferenceOptions For(ModelComponent component) =>
        TextEncodersOnCpu && IsTextEncoder(component) && ExecutionProvider != ExecutionProviderKind.Cpu
            ? OnCpu()
            : this;

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

        if (CudaGraph)
        {
            ValidateCudaGraph();
        }
    }

    /// <summary>
    /// The CUDA provider options for a session (the keys of onnxruntime's CUDA provider documentation);
    /// <paramref name="captureGraph"/> adds <c>enable_cuda_graph</c> for the session that replays one graph per step.
    /// </summary>
    public IReadOnlyDictionary<string, string> CudaProviderOptions(bool captureGraph)
    {
        var options = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["device_id"] = DeviceId.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        if (captureGraph)
        {
            options["enable_cuda_graph"] = "1";
        }

        return options;
    }

    private void ValidateCudaGraph()
    {
        if (ExecutionProvider != ExecutionProviderKind.Cuda)
        {
            throw new ValidationException(
                $"CudaGraph needs ExecutionProvider cuda, not {ExecutionProvider.ToString().ToLowerInvariant()}: graph capture is a CUDA provider feature" +
                (ExecutionProvider == ExecutionProviderKind.Auto ? " and auto may run on the CPU" : string.Empty));
        }

        if (WarmUp)
        {
            throw new ValidationException("CudaGraph cannot be combined with WarmUp: warm-up runs the transformer at the smallest size, and the graph would be captured for that shape");
        }

        if (MaxConcurrentRunsPerDevice != 1)
        {
            throw new ValidationException($"CudaGraph needs MaxConcurrentRunsPerDevice 1, not {MaxConcurrentRunsPerDevice}: a captured graph replays into one set of device buffers");
        }
    }

    private static bool IsTextEncoder(ModelComponent component) =>
        component is ModelComponent.ClipTextEncoder or ModelComponent.T5TextEncoder;

    private InferenceOptions OnCpu()
    {
        var copy = (InferenceOptions)MemberwiseClone();
        copy.ExecutionProvider = ExecutionProviderKind.Cpu;
        copy.CudaGraph = false;
        return copy;
    }

    internal string CacheKey => $"{ExecutionProvider}|{DeviceId}|{IntraOpThreads}|{InterOpThreads}|{AllowSpinning}|{CudaGraph}";
}
