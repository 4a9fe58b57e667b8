using Flux.Functions.Orchestrations;

namespace Flux.Functions.Notifications;

/// <summary>
/// How a job's webhook delivery went, recorded in its manifest ("webhook") and updated after every
/// attempt, so the record survives a crash and a retry resumes after the events already delivered.
/// </summary>
/// <param name="Target">The URL without its query (which may hold a token).</param>
/// <param name="Status"><see cref="Delivering"/> while attempts remain, then <see cref="Delivered"/> or <see cref="Failed"/>.</param>
/// <param name="Attempts">Attempts made (each sends the events not yet delivered, in order).</param>
/// <param name="LastStatusCode">The last HTTP status the target answered, if it answered.</param>
/// <param name="LastError">The last failure, if any attempt failed.</param>
internal sealed record WebhookDelivery(
    string Target, string Status, int Attempts, int EventsDelivered, int EventsTotal, int? LastStatusCode, string? LastError)
{
    public const string Delivering = "delivering";
    public const string Delivered = "delivered";
    public const string Failed = "failed";
}

/// <summary>Input of the DeliverWebhook activity: the job's webhook and the completion its events describe.</summary>
internal sealed record DeliverWebhookInput(WebhookSpec Webhook, PublishEventsInput Completion);

/// <summary>Input of RecordWebhookFailure: the job and why its last attempt failed.</summary>
internal sealed record WebhookFailureInput(string JobId, string Reason);
