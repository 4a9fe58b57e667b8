using System.Collections.Concurrent;

namespace Flux.Inference.Sessions;

/// <summary>One semaphore per device limiting how many session runs execute at once on it.</summary>
internal static class DeviceGate
{
    private static readonly ConcurrentDictionary<string, SemaphoreSlim> Gates = new(StringComparer.Ordinal);

    /// <summary>The gate for a device; its size is fixed by the first caller for that device.</summary>
    public static SemaphoreSlim For(string device, int maxConcurrentRuns) =>
        Gates.GetOrAdd(device, _ => new SemaphoreSlim(maxConcurrentRuns, maxConcurrentRuns));
}
