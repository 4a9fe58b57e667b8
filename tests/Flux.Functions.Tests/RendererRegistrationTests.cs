using System.Reflection;
using Flux.Functions.Rendering;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;

namespace Flux.Functions.Tests;

public sealed class RendererRegistrationTests
{
    [Fact]
    public void NoModelConfigured_UsesTheBuiltInReferencePackage_AndRendersItsFixedSize()
    {
        using var app = AppServices();
        var services = app.Services;

        var renderer = services.GetRequiredService<IImageRenderer>();

        Assert.IsType<FluxPipelineRenderer>(renderer);
        Assert.StartsWith("reference-", renderer.ModelId, StringComparison.Ordinal);
        Assert.True(renderer.Defaults.FixedSize);
        Assert.Equal((256, 256), (renderer.Defaults.Width, renderer.Defaults.Height));
        Assert.Same(renderer, services.GetRequiredService<IImageRenderer>()); // sessions loaded once per process
    }

    [Fact]
    public void EveryFunctionClass_CanBeMadeFromTheHostProgramBuilds()
    {
        using var app = AppServices();
        var classes = typeof(FluxOptions).Assembly.GetTypes()
            .Where(t => t.GetMethods().Any(m => !m.IsStatic && m.GetCustomAttribute<FunctionAttribute>() is not null))
            .ToList();

        // GenerationsApi, ModelsApi, HealthFunction, JobQueueTrigger, PromptsBlobTrigger, RenderActivities, JobActivities
        Assert.Equal(7, classes.Count);
        Assert.All(classes, type => Assert.NotNull(ActivatorUtilities.CreateInstance(app.Services, type)));
        // The services the host itself resolves at start: hosted services (renderer warm-up, queue backlog) and options validation.
        Assert.NotEmpty(app.Services.GetServices<Microsoft.Extensions.Hosting.IHostedService>());
        Assert.NotNull(app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<FluxOptions>>().Value);
    }

    /// <summary>The host Program.cs builds, with no settings but a storage connection string (nothing connects here).</summary>
    private static Microsoft.Extensions.Hosting.IHost AppServices()
        => Hosting.AppHost.Build(new Dictionary<string, string?> { ["AzureWebJobsStorage"] = "UseDevelopmentStorage=true" });
}
