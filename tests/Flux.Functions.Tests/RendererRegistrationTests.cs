using Flux.Functions.Rendering;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Flux.Functions.Tests;

public sealed class RendererRegistrationTests
{
    [Fact]
    public async Task NoModelConfigured_UsesTheBuiltInReferencePackage_AndRendersItsFixedSize()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>()).Build();
        await using var services = new ServiceCollection()
            .AddLogging()
            .AddFluxService(configuration)
            .AddFluxPipelineRenderer(configuration)
            .BuildServiceProvider();

        var renderer = services.GetRequiredService<IImageRenderer>();

        Assert.IsType<FluxPipelineRenderer>(renderer);
        Assert.StartsWith("reference-", renderer.ModelId, StringComparison.Ordinal);
        Assert.True(renderer.Defaults.FixedSize);
        Assert.Equal((256, 256), (renderer.Defaults.Width, renderer.Defaults.Height));
        Assert.Same(renderer, services.GetRequiredService<IImageRenderer>()); // sessions loaded once per process
    }
}
