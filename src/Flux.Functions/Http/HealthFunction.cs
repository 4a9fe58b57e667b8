using Flux.Functions.Health;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Flux.Functions.Http;

/// <summary>
/// GET /api/health (anonymous): the ASP.NET Core health checks of the app (<see cref="ModelHealthCheck"/>,
/// <see cref="StorageHealthCheck"/>). 200 when every check is healthy; otherwise 503 naming the checks that are
/// not, so a load balancer or deployment slot swap waits for a loaded model and reachable storage.
/// </summary>
internal sealed class HealthFunction(HealthCheckService health)
{
    public const string Name = "Health";

    [Function(Name)]
    public async Task<IActionResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "health")] HttpRequest request, CancellationToken cancellationToken)
    {
        var report = await health.CheckHealthAsync(cancellationToken).ConfigureAwait(false);
        var body = new
        {
            status = report.Status.ToString(),
            failing = report.Entries.Where(e => e.Value.Status != HealthStatus.Healthy).Select(e => e.Key).Order(StringComparer.Ordinal).ToArray(),
            checks = report.Entries.ToDictionary(e => e.Key, e => new { status = e.Value.Status.ToString(), description = e.Value.Description }),
        };
        return new ObjectResult(body) { StatusCode = report.Status == HealthStatus.Healthy ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable };
    }
}
