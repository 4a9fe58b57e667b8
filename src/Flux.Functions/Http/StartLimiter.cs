using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace Flux.Functions.Http;

/// <summary>
/// A token bucket on POST /api/generations (per instance of the app): Flux:StartBurst starts at once,
/// refilled at Flux:StartsPerSecond. Over the limit a start is answered 429 with Retry-After, never queued.
/// </summary>
internal sealed class StartLimiter : IDisposable
{
    private readonly TokenBucketRateLimiter _bucket;

    public StartLimiter(IOptions<FluxOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var o = options.Value;
        _bucket = new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = o.StartBurst,
            TokensPerPeriod = o.StartsPerSecond,
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            QueueLimit = 0,
            AutoReplenishment = true,
        });
    }

    /// <summary>Takes a token; when none is left, says how long until one is (whole seconds, at least 1).</summary>
    public bool TryAcquire(out TimeSpan retryAfter)
    {
        using var lease = _bucket.AttemptAcquire();
        retryAfter = lease.IsAcquired ? TimeSpan.Zero : WholeSeconds(lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(1));
        return lease.IsAcquired;
    }

    private static TimeSpan WholeSeconds(TimeSpan wait) => TimeSpan.FromSeconds(Math.Max(1, Math.Ceiling(wait.TotalSeconds)));

    public void Dispose() => _bucket.Dispose();
}
