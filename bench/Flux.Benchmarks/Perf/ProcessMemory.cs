using System.Globalization;

namespace Flux.Benchmarks.Perf;

/// <summary>
/// Resident set of this process from /proc/self/status (Linux): VmRSS now and VmHWM, the peak since the
/// last <see cref="ResetPeak"/> (writing 5 to /proc/self/clear_refs resets it).
/// </summary>
internal static class ProcessMemory
{
    public static long ResidentBytes => Read("VmRSS:");

    public static long PeakResidentBytes => Read("VmHWM:");

    public static void ResetPeak() => File.WriteAllText("/proc/self/clear_refs", "5");

    /// <summary>A size field of /proc/self/status in bytes (RssAnon:, RssFile:, ...).</summary>
    public static long Field(string field) => Read(field);

    private static long Read(string field)
    {
        foreach (string line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith(field, StringComparison.Ordinal))
            {
                string kilobytes = line[field.Length..].Trim().Split(' ')[0];
                return long.Parse(kilobytes, CultureInfo.InvariantCulture) * 1024;
            }
        }

        throw new InvalidOperationException($"{field} missing from /proc/self/status");
    }
}
