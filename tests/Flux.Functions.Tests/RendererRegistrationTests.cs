using System.Reflection;
using Flux.Functions.Rendering;
using Flux.Inference.Sessions;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

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

    /// <summary>The device is chosen by Flux:Inference alone, as configured: "auto" (CUDA when it loads, else CPU) reaches the pipeline.</summary>
    [Theory]
    [InlineData(null, ExecutionProviderKind.Auto)]
    [InlineData("auto", ExecutionProviderKind.Auto)]
    [InlineData("CPU", ExecutionProviderKind.Cpu)]
    [InlineData("cuda", ExecutionProviderKind.Cuda)]
    public async Task ExecutionProvider_FromFluxInference_IsUsedAsConfigured(string? configured, ExecutionProviderKind expected)
    {
        using var app = AppServices(configured is null ? [] : new() { ["Flux:Inference:ExecutionProvider"] = configured, ["Flux:Inference:DeviceId"] = "3" });
        var services = app.Services;

        var renderer = services.GetRequiredService<IImageRenderer>();   // CUDA is not on this machine: auto and cuda fall back to the CPU

        var inference = services.GetRequiredService<IOptions<InferenceOptions>>().Value;
        Assert.Equal((expected, configured is null ? 0 : 3), (inference.ExecutionProvider, inference.DeviceId));
        var models = (OkObjectResult)ActivatorUtilities.CreateInstance<Http.ModelsApi>(services).GetModels(new DefaultHttpContext().Request);
        Assert.Equal(expected.ToString().ToLowerInvariant(), ((Http.ModelList)models.Value!).Models[0].Device);
        Assert.StartsWith("reference-", renderer.ModelId, StringComparison.Ordinal);
    }

    [Fact]
    public void EveryFunctionClass_CanBeMadeFromTheHostProgramBuilds()
    {
        using var app = AppServices();
        var classes = typeof(FluxOptions).Assembly.GetTypes()
            .Where(t => t.GetMethods().Any(m => !m.IsStatic && m.GetCustomAttribute<FunctionAttribute>() is not null))
            .ToList();

        // GenerationsApi, ModelsApi, HealthFunction, JobQueueTrigger, PromptsBlobTrigger, RenderActivities, JobActivities, WebhookActivities
        Assert.Equal(8, classes.Count);
        Assert.All(classes, type => Assert.NotNull(ActivatorUtilities.CreateInstance(app.Services, type)));
        // The services the host itself resolves at start: hosted services (renderer warm-up, queue backlog) and options validation.
        Assert.NotEmpty(app.Services.GetServices<Microsoft.Extensions.Hosting.IHostedService>());
        Assert.NotNull(app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<FluxOptions>>().Value);
    }

    /// <summary>The host Program.cs builds, with no settings but a storage connection string and <paramref name="settings"/> (nothing connects here).</summary>
    private static Microsoft.Extensions.Hosting.IHost AppServices(Dictionary<string, string?>? settings = null)
        => Hosting.AppHost.Build(new Dictionary<string, string?>(settings ?? []) { ["AzureWebJobsStorage"] = "UseDevelopmentStorage=true" });
}
