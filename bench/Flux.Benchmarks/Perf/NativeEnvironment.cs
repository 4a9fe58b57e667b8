using System.Runtime.InteropServices;
using System.Text;

namespace Flux.Benchmarks.Perf;

/// <summary>
/// Environment variables as native code reads them: .NET's Environment.SetEnvironmentVariable keeps its own copy on
/// Unix and does not reach getenv(3), which ONNX Runtime's kernels call when their session is created.
/// </summary>
internal static class NativeEnvironment
{
    public static void Set(string name, string value)
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
        {
            Environment.SetEnvironmentVariable(name, value);   // Windows: one environment block for both
            return;
        }

        if (setenv(Encoding.UTF8.GetBytes(name + "\0"), Encoding.UTF8.GetBytes(value + "\0"), 1) != 0)
        {
            throw new InvalidOperationException($"setenv({name}) failed");
        }
    }

    [DllImport("libc", EntryPoint = "setenv")]
    private static extern int setenv(byte[] name, byte[] value, int overwrite);
}
