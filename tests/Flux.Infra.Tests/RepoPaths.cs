using System.Reflection;

namespace Flux.Infra.Tests;

/// <summary>Paths the build recorded in assembly metadata: repository root and restored tools.</summary>
internal static class RepoPaths
{
    public static string Root { get; } = Path.GetFullPath(Metadata("RepoRoot"));

    public static string Infra => Path.Combine(Root, "infra");

    public static string MainBicep => Path.Combine(Infra, "main.bicep");

    /// <summary>The Bicep CLI from the Azure.Bicep.CommandLine.linux-x64 package, made executable.</summary>
    public static string BicepCli { get; } = ExecutableFile(Metadata("BicepPath"));

    /// <summary>ONNX Runtime 1.32's CUDA execution provider as shipped in its NuGet package.</summary>
    public static string OnnxRuntimeCudaProvider => Path.Combine(
        Metadata("OnnxRuntimeGpuLinuxPackage"), "runtimes", "linux-x64", "native", "libonnxruntime_providers_cuda.so");

    public static string InRepo(string relativePath) => Path.GetFullPath(Path.Combine(Root, relativePath));

    private static string Metadata(string key)
    {
        var value = typeof(RepoPaths).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .SingleOrDefault(a => a.Key == key)?.Value;
        if (string.IsNullOrEmpty(value))
        {
            throw new InvalidOperationException($"assembly metadata '{key}' is empty; restore and build the test project with dotnet build");
        }

        // MSBuild props of the Bicep package join paths with '\'.
        return value.Replace('\\', '/');
    }

    private static string ExecutableFile(string path)
    {
        var full = Path.GetFullPath(path);
        if (!File.Exists(full))
        {
            throw new FileNotFoundException($"Bicep CLI not found at {full}; is Azure.Bicep.CommandLine.linux-x64 restored?", full);
        }

        // NuGet extracts the binary as rwxr--r--: make sure whoever runs the tests may execute it.
        // (The package is the linux-x64 build; Windows has no such mode bits.)
        if (OperatingSystem.IsWindows())
        {
            return full;
        }

        const UnixFileMode execute = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
        var mode = File.GetUnixFileMode(full);
        if ((mode & execute) != execute)
        {
            File.SetUnixFileMode(full, mode | execute);
        }

        return full;
    }
}
