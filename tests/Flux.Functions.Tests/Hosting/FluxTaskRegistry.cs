using Flux.Functions.Activities;
using Flux.Functions.Notifications;
using Flux.Functions.Orchestrations;
using Microsoft.DurableTask;
using Microsoft.Extensions.DependencyInjection;

namespace Flux.Functions.Tests.Hosting;

/// <summary>
/// Registers the app's orchestrator and activity methods (the very methods the Functions host
/// binds through [Function]) on a plain Durable Task worker: the in-process test host and the
/// benchmarks run the service's orchestrations with it.
/// </summary>
public static class FluxTaskRegistry
{
    public static void Register(DurableTaskRegistry registry, IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(registry);
        var render = services.GetRequiredService<RenderActivities>();
        var job = services.GetRequiredService<JobActivities>();
        var webhooks = services.GetRequiredService<WebhookActivities>();
        registry.AddOrchestratorFunc<GenerateJobInput, JobResult>(GenerateJob.Name, (context, input) => GenerateJob.RunAsync(context, input));
        registry.AddOrchestratorFunc<RenderImageInput, ImageResult>(RenderImage.Name, (context, input) => RenderImage.RunAsync(context, input));
        registry.AddActivityFunc<EncodePromptInput, ConditioningRef>(RenderImage.EncodePrompt, (_, input) => render.EncodePromptAsync(input, CancellationToken.None));
        registry.AddActivityFunc<DenoiseInput, DenoiseProgress>(RenderImage.Denoise, (_, input) => render.DenoiseAsync(input, CancellationToken.None));
        registry.AddActivityFunc<DecodeAndSaveInput, SavedImage>(RenderImage.DecodeAndSave, (_, input) => render.DecodeAndSaveAsync(input, CancellationToken.None));
        registry.AddActivityFunc<WriteManifestInput, string>(GenerateJob.WriteManifest, (_, input) => job.WriteManifestAsync(input, CancellationToken.None));
        registry.AddActivityFunc<PublishEventsInput>(GenerateJob.PublishEvents, (_, input) => job.PublishEventsAsync(input, CancellationToken.None));
        registry.AddActivityFunc<DeliverWebhookInput>(WebhookActivities.Deliver, (_, input) => webhooks.DeliverWebhookAsync(input, CancellationToken.None));
        registry.AddActivityFunc<WebhookFailureInput>(WebhookActivities.RecordFailure, (_, input) => webhooks.RecordWebhookFailureAsync(input, CancellationToken.None));
    }
}
