using System.Diagnostics;

namespace Flux.Inference.Tests.Imaging;

/// <summary>
/// The process's peak resident memory. On Linux the peak (VmHWM) is reset first by writing "5" to
/// /proc/self/clear_refs, so the peak measured is that of the code under test, not of earlier tests;
/// elsewhere the process's peak working set is read (which can only under-report a growth).
/// </summary>
internal static class PeakMemory
{
    /// <summary>Resets the peak where the OS allows it and returns the resident memory now.</summary>
    public static long ResetAndReadResident()
    {
        if (OperatingSystem.IsLinux())
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
            return StatusKilobytes("VmRSS:") * 1024;
        }

        using var process = Process.GetCurrentProcess();
        return process.PeakWorkingSet64;
    }

    public static long ReadPeak()
    {
        if (OperatingSystem.IsLinux())
        {
            return StatusKilobytes("VmHWM:") * 1024;
        }

        using var process = Process.GetCurrentProcess();
        process.Refresh();
        return process.PeakWorkingSet64;
    }

    private static long StatusKilobytes(string key)
        => long.Parse(File.ReadLines("/proc/self/status").First(l => l.StartsWith(key, StringComparison.Ordinal))[key.Length..].Trim().Split(' ')[0]);
}

/// <summary>Tests that measure the process's memory run alone, so no other test's allocations land in their peak.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MemoryMeasurementCollection
{
    public const string Name = "memory measurement";
}
