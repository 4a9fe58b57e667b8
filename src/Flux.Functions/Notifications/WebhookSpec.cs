using Flux.Functions.Events;

namespace Flux.Functions.Notifications;

/// <summary>
/// A job's webhook (notify.webhook): the https URL the job's CloudEvents are POSTed to, signed per
/// Standard Webhooks, and which event types to send (null: all of <see cref="WebhookSpec.EventTypes"/>).
/// </summary>
internal sealed record WebhookSpec(string Url, IReadOnlyList<string>? Events = null)
{
    /// <summary>The CloudEvent types a webhook can ask for.</summary>
    public static readonly IReadOnlyList<string> EventTypes = [FluxEvents.ImageCompleted, FluxEvents.JobCompleted];

    public bool Wants(string eventType) => Events is null || Events.Contains(eventType, StringComparer.Ordinal);
}
