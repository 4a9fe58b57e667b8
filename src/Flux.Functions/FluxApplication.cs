using Flux.Functions.Rendering;
using Flux.Functions.Telemetry;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Hosting;

namespace Flux.Functions;

/// <summary>The app's composition, once: Program.cs runs it, and the tests build the same host from it.</summary>
internal static class FluxApplication
{
    /// <summary>
    /// ASP.NET Core integration for the HTTP functions, then the service (options, storage, stores, the
    /// function classes), the ONNX renderer, telemetry and health checks.
    /// </summary>
    public static FunctionsApplicationBuilder ConfigureFlux(this FunctionsApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.ConfigureFunctionsWebApplication();
        builder.Services
            .AddFluxService(builder.Configuration)
            .AddFluxPipelineRenderer(builder.Configuration)
            .AddFluxTelemetry(builder.Configuration)
            .AddFluxHealthChecks();
        return builder;
    }
}
