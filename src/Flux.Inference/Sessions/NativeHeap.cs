using System.Runtime.InteropServices;

namespace Flux.Inference.Sessions;

/// <summary>
/// Gives the C heap's free pages back to the operating system after ONNX Runtime builds a session.
/// </summary>
/// <remarks>
/// Graph optimization allocates and frees whole weight copies while it builds a session: constant folding turns
/// each Transpose(W) into a new fp32 initializer, and for an fp16/bf16 package each Cast(W) first (a second fp32
/// copy, freed once the Transpose is folded), before prepacking. glibc serves these 4–30 MB blocks from its heap once
/// its dynamic mmap threshold has risen, and a freed block between live ones stays resident, so the process kept
/// about the weights' fp32 size again (twice for half precision) after the session no longer used it
/// (docs/benchmarks.md, "Import (issue 12)"). <c>malloc_trim(0)</c> releases those free pages; it changes no
/// allocation ONNX Runtime holds. Only glibc has it: elsewhere (Windows, macOS, musl) this does nothing.
/// </remarks>
internal static class NativeHeap
{
    private static bool _unavailable = !OperatingSystem.IsLinux();
    private static long _requests;

    /// <summary>How many times <see cref="ReleaseFreePages"/> has been called in this process (where it did nothing too).</summary>
    public static long Requests => Interlocked.Read(ref _requests);

    /// <summary>Releases the C heap's free pages; false where the C library has no <c>malloc_trim</c>.</summary>
    public static bool ReleaseFreePages()
    {
        Interlocked.Increment(ref _requests);
        if (_unavailable)
        {
            return false;
        }

        try
        {
            MallocTrim(0);
            return true;
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            _unavailable = true;   // musl and other C libraries without malloc_trim
            return false;
        }
    }

    [DllImport("libc", EntryPoint = "malloc_trim")]
    private static extern int MallocTrim(nuint pad);
}
