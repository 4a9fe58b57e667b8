using Microsoft.Extensions.DependencyInjection;

namespace Flux.Functions.Rendering;

/// <summary>
/// The process's <see cref="IImageRenderer"/>, resolved when a request needs it rather than when a
/// function class is built: while the model cannot be opened every use throws the same
/// <see cref="Flux.Inference.FluxModelException"/> (the container does not cache a failed singleton),
/// so HTTP routes can answer 503 instead of failing to construct, and repaired model files are picked
/// up without a restart.
/// </summary>
internal sealed class RendererHandle(IServiceProvider services)
{
    public IImageRenderer Renderer => services.GetRequiredService<IImageRenderer>();
}
