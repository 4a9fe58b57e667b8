using Azure.Messaging;
using Azure.Messaging.EventGrid;
using Flux.Functions.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Flux.Functions.Events;

/// <summary>
/// Sends CloudEvents (structured JSON) to the flux-events queue always, and to the Event Grid topic
/// when one is configured.
/// </summary>
internal sealed class CloudEventPublisher(
    StorageClients storage,
    IOptions<FluxOptions> options,
    EventGridTopic topic,
    ILogger<CloudEventPublisher> logger)
{
    public async Task PublishAsync(IReadOnlyList<CloudEvent> events, CancellationToken cancellationToken)
    {
        var queue = await storage.QueueAsync(options.Value.EventsQueue).ConfigureAwait(false);
        foreach (var cloudEvent in events)
        {
            await queue.SendMessageAsync(BinaryData.FromObjectAsJson(cloudEvent), cancellationToken: cancellationToken).ConfigureAwait(false);
        }

        if (topic.Client is { } client)
        {
            await client.SendEventsAsync(events, cancellationToken).ConfigureAwait(false);
        }

        Log.EventsPublished(logger, events.Count, topic.Client is not null);
    }

    /// <summary>The absolute URI of a blob in the images container (what events point at).</summary>
    public Uri ImageUri(string blobName)
        => storage.Blobs.GetBlobContainerClient(options.Value.ImagesContainer).GetBlobClient(blobName).Uri;
}

/// <summary>The Event Grid topic client, or none when Flux:EventGridTopicEndpoint is not set.</summary>
internal sealed class EventGridTopic(EventGridPublisherClient? client)
{
    public EventGridPublisherClient? Client { get; } = client;
}
