using Azure.Messaging.EventGrid;
using Flux.Functions.Activities;
using Flux.Functions.Events;
using Flux.Functions.Http;
using Flux.Functions.Jobs;
using Flux.Functions.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Flux.Functions;

internal static class FluxServiceCollectionExtensions
{
    /// <summary>
    /// Options (bound from "Flux", validated at start-up), storage clients and stores, the event
    /// publisher, the job starter and the activity classes. The renderer is registered separately.
    /// </summary>
    public static IServiceCollection AddFluxService(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<FluxOptions>()
            .Bind(configuration.GetSection(FluxOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<FluxOptions>, FluxOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => StorageClients.Create(sp.GetRequiredService<IOptions<FluxOptions>>().Value, configuration));
        services.TryAddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<FluxOptions>>().Value;
            return new EventGridTopic(options.EventGridTopicEndpoint is { } endpoint
                ? new EventGridPublisherClient(endpoint, StorageClients.Credential(StorageClients.ClientId(options, configuration)))
                : null);
        });
        services.TryAddSingleton<CheckpointStore>();
        services.TryAddSingleton<ConditioningStore>();
        services.TryAddSingleton<ImageStore>();
        services.TryAddSingleton<RejectionStore>();
        services.TryAddSingleton<FailureStore>();
        services.TryAddSingleton<InputImageStore>();
        services.TryAddSingleton<JobInputImages>();
        services.TryAddSingleton<CloudEventPublisher>();
        services.TryAddSingleton<Rendering.RendererHandle>();
        services.TryAddSingleton<JobStarter>();
        services.TryAddSingleton<Http.ImageLinks>();
        services.TryAddSingleton<StartLimiter>();
        services.TryAddSingleton<RenderActivities>();
        services.TryAddSingleton<JobActivities>();
        services.TryAddSingleton(sp => new Notifications.WebhookSender(
            sp.GetRequiredService<IOptions<FluxOptions>>(), sp.GetRequiredService<TimeProvider>(), sp.GetService<Notifications.HostResolver>()));
        services.TryAddSingleton<Notifications.WebhookActivities>();
        return services;
    }
}
