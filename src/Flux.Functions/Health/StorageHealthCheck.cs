using Flux.Functions.Storage;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Flux.Functions.Health;

/// <summary>
/// "storage": whether the images container and the jobs queue answer. Both are read (exists / properties), which
/// the app's role assignments allow; nothing is created. Bounded by the registration's timeout, because the
/// storage clients retry with backoff for far longer than a probe waits.
/// </summary>
internal sealed class StorageHealthCheck(StorageClients storage, IOptions<FluxOptions> options) : IHealthCheck
{
    public const string Name = "storage";

    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            bool images = await storage.Blobs.GetBlobContainerClient(options.Value.ImagesContainer).ExistsAsync(cancellationToken).ConfigureAwait(false);
            bool jobs = await storage.Queues.GetQueueClient(FluxOptions.JobsQueue).ExistsAsync(cancellationToken).ConfigureAwait(false);
            return HealthCheckResult.Healthy($"blob and queue service reachable (images container {(images ? "present" : "not created yet")}, jobs queue {(jobs ? "present" : "not created yet")})");
        }
        catch (Azure.RequestFailedException e)
        {
            return HealthCheckResult.Unhealthy($"storage answered {e.Status} {e.ErrorCode}");
        }
        catch (AggregateException e) when (e.InnerExceptions.All(i => i is Azure.RequestFailedException or HttpRequestException))
        {
            return HealthCheckResult.Unhealthy("storage is unreachable");
        }
    }
}
