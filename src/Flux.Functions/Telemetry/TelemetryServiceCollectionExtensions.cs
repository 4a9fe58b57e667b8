using Azure.Monitor.OpenTelemetry.Exporter;
using Flux.Functions.Health;
using Microsoft.Azure.Functions.Worker.OpenTelemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Flux.Functions.Telemetry;

public static class TelemetryServiceCollectionExtensions
{
    /// <summary>Set by the Functions platform when the app has Application Insights; read by the exporter too.</summary>
    public const string ConnectionStringSetting = "APPLICATIONINSIGHTS_CONNECTION_STRING";

    /// <summary>
    /// OpenTelemetry with the Functions worker's defaults (the host's trace context continues into each
    /// invocation): the app's spans and Durable Task's, the app's metrics, and the queue backlog poller. Exported
    /// to Azure Monitor when <see cref="ConnectionStringSetting"/> is set; otherwise collected for no one, which
    /// costs next to nothing (tests add an in-memory exporter).
    /// </summary>
    public static IServiceCollection AddFluxTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var telemetry = services.AddOpenTelemetry()
            .UseFunctionsWorkerDefaults()
            .WithTracing(tracing => tracing
                .AddSource(FluxTelemetry.Name, FluxTelemetry.DurableTaskSource)
                .AddProcessor<DurableSpanTags>())
            .WithMetrics(metrics => metrics.AddMeter(FluxTelemetry.Name));
        if (!string.IsNullOrWhiteSpace(configuration[ConnectionStringSetting]))
        {
            telemetry.UseAzureMonitorExporter(options => options.ConnectionString = configuration[ConnectionStringSetting]);
        }

        services.AddSingleton<QueueBacklog>();
        services.AddHostedService(sp => sp.GetRequiredService<QueueBacklog>());
        return services;
    }

    /// <summary>The checks behind GET /api/health: the model and storage (see <see cref="Http.HealthFunction"/>).</summary>
    public static IServiceCollection AddFluxHealthChecks(this IServiceCollection services)
    {
        services.AddHealthChecks()
            .AddCheck<ModelHealthCheck>(ModelHealthCheck.Name, HealthStatus.Unhealthy, timeout: ModelHealthCheck.LoadWait * 2)
            .AddCheck<StorageHealthCheck>(StorageHealthCheck.Name, HealthStatus.Unhealthy, timeout: StorageHealthCheck.Timeout);
        return services;
    }
}
