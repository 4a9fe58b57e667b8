using System.Reflection;
using Flux.Functions.Rendering;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Flux.Functions.Tests;

public sealed class RendererRegistrationTests
{
    [Fact]
    public async Task NoModelConfigured_UsesTheBuiltInReferencePackage_AndRendersItsFixedSize()
    {
        await using var services = AppServices();

        var renderer = services.GetRequiredService<IImageRenderer>();

        Assert.IsType<FluxPipelineRenderer>(renderer);
        Assert.StartsWith("reference-", renderer.ModelId, StringComparison.Ordinal);
        Assert.True(renderer.Defaults.FixedSize);
        Assert.Equal((256, 256), (renderer.Defaults.Width, renderer.Defaults.Height));
        Assert.Same(renderer, services.GetRequiredService<IImageRenderer>()); // sessions loaded once per process
    }

    [Fact]
    public async Task EveryFunctionClass_CanBeMadeFromTheAppsServices()
    {
        await using var services = AppServices();
        var classes = typeof(FluxOptions).Assembly.GetTypes()
            .Where(t => t.GetMethods().Any(m => !m.IsStatic && m.GetCustomAttribute<FunctionAttribute>() is not null))
            .ToList();

        Assert.Equal(7, classes.Count); // GenerationsApi, ModelsApi, JobQueueTrigger, PromptsBlobTrigger, RenderActivities, JobActivities, WebhookActivities
        Assert.All(classes, type => Assert.NotNull(ActivatorUtilities.CreateInstance(services, type)));
    }

    /// <summary>The registrations of Program.cs, with no settings but a storage connection string (nothing connects here).</summary>
    private static ServiceProvider AppServices()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["AzureWebJobsStorage"] = "UseDevelopmentStorage=true" })
            .Build();
        return new ServiceCollection()
            .AddLogging()
            .AddFluxService(configuration)
            .AddFluxPipelineRenderer(configuration)
            .BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });
    }
}
