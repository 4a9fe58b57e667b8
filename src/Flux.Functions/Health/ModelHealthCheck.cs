using Flux.Functions.Rendering;
using Flux.Inference;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Flux.Functions.Health;

/// <summary>
/// "model": whether the renderer's model is open. The renderer is opened once per process (by the start-up
/// warm-up, or by the first request); while that runs the check reports Degraded ("loading") after
/// <see cref="LoadWait"/> instead of holding the probe, and a model that cannot be opened is Unhealthy with the
/// reason (<see cref="FluxModelException"/>; the file's server path is not shown to anonymous callers).
/// </summary>
internal sealed class ModelHealthCheck(RendererHandle renderer) : IHealthCheck
{
    public const string Name = "model";

    public static readonly TimeSpan LoadWait = TimeSpan.FromSeconds(2);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var opening = Task.Run(() => renderer.Renderer, CancellationToken.None); // keeps opening if the probe gives up
        try
        {
            var opened = await opening.WaitAsync(LoadWait, cancellationToken).ConfigureAwait(false);
            return HealthCheckResult.Healthy($"model {opened.ModelId} loaded");
        }
        catch (TimeoutException)
        {
            return HealthCheckResult.Degraded("the model is still loading");
        }
        catch (FluxModelException e)
        {
            return HealthCheckResult.Unhealthy($"the model cannot be opened ({(e.ModelFile is null ? "package" : Path.GetFileName(e.ModelFile))})");
        }
    }
}
