using System.Reflection;
using Microsoft.ML.OnnxRuntime;

namespace Flux.Inference.Sessions;

/// <summary>
/// Which ONNX Runtime the process runs: the managed package's version and the native build's flavour, chosen per app
/// by the <c>OnnxRuntimeFlavor</c> build property (Directory.Build.props): <c>Cpu</c> (Microsoft.ML.OnnxRuntime) or
/// <c>Cuda</c> (Microsoft.ML.OnnxRuntime.Gpu). The flavour is read from the loaded native library's provider list,
/// so it is what actually runs, not what a build file says.
/// </summary>
public static class OnnxRuntimeBuild
{
    public const string CpuFlavor = "Cpu";
    public const string CudaFlavor = "Cuda";
    internal const string CudaProviderName = "CUDAExecutionProvider";

    private static readonly Lazy<bool> CudaCompiledIn = new(() => OrtEnv.Instance().GetAvailableProviders().Contains(CudaProviderName));

    /// <summary>The managed ONNX Runtime package's version, e.g. "1.32.0".</summary>
    public static string Version { get; } = PackageVersion(typeof(InferenceSession).Assembly);

    /// <summary>True when the native build has the CUDA execution provider (the GPU package); loads ONNX Runtime.</summary>
    public static bool HasCuda => CudaCompiledIn.Value;

    /// <summary>"Cpu" or "Cuda".</summary>
    public static string Flavor => HasCuda ? CudaFlavor : CpuFlavor;

    /// <summary>"ONNX Runtime 1.32.0, Cpu build".</summary>
    public static string Description => $"ONNX Runtime {Version}, {Flavor} build";

    private static string PackageVersion(Assembly assembly)
    {
        string? informational = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
        return informational is null ? assembly.GetName().Version?.ToString() ?? "unknown" : informational.Split('+')[0];
    }
}
