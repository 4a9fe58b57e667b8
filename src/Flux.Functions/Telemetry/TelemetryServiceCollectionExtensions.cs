using Azure.Identity;
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

internal static class TelemetryServiceCollectionExtensions
{
    /// <summary>Set by the Functions platform when the app has Application Insights; read by the exporter too.</summary>
    public const string ConnectionStringSetting = "APPLICATIONINSIGHTS_CONNECTION_STRING";

    /// <summary>"ClientId={id};Authorization=AAD" (infra/app/functionapp.bicep): ingestion with Entra ID, as the resource disables local auth.</summary>
    public const string AuthenticationStringSetting = "APPLICATIONINSIGHTS_AUTHENTICATION_STRING";

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
            telemetry.UseAzureMonitorExporter(options => ConfigureExporter(options, configuration));
        }

        services.AddSingleton<QueueBacklog>();
        services.AddHostedService(sp => sp.GetRequiredService<QueueBacklog>());
        return services;
    }

    /// <summary>
    /// The connection string, and for Entra ID ingestion (the host reads the same authentication string for its own
    /// telemetry; the exporter does not) the managed identity it names, or the system-assigned one.
    /// </summary>
    public static void ConfigureExporter(AzureMonitorExporterOptions options, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(configuration);
        options.ConnectionString = configuration[ConnectionStringSetting];
        var authentication = (configuration[AuthenticationStringSetting] ?? "")
            .Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(part => part.Split('=', 2))
            .Where(pair => pair.Length == 2)
            .ToDictionary(pair => pair[0], pair => pair[1], StringComparer.OrdinalIgnoreCase);
        if (authentication.TryGetValue("Authorization", out string? kind) && kind.Equals("AAD", StringComparison.OrdinalIgnoreCase))
        {
            options.Credential = new ManagedIdentityCredential(authentication.TryGetValue("ClientId", out string? clientId) && clientId.Length > 0
                ? ManagedIdentityId.FromUserAssignedClientId(clientId)
                : ManagedIdentityId.SystemAssigned);
        }
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
