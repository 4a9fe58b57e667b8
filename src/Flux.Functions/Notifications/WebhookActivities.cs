using Flux.Functions.Events;
using Flux.Functions.Orchestrations;
using Flux.Functions.Storage;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;

namespace Flux.Functions.Notifications;

/// <summary>
/// Webhook delivery for <see cref="GenerateJob"/>: the orchestration step (<see cref="DeliverAsync"/>),
/// and its two activities. One DeliverWebhook attempt POSTs, in order, the job's CloudEvents the
/// webhook asked for that earlier attempts did not deliver, and records the outcome in the manifest.
/// A failure worth retrying (a 5xx, a timeout) is thrown, and the durable retry policy runs it again after a
/// backoff; a refusal (a 4xx, an address the SSRF guard rejects) is returned as data, because the isolated
/// worker does not carry exception types to the orchestrator (see <see cref="ActivityOutcome{T}"/>).
/// </summary>
internal sealed class WebhookActivities(
    WebhookSender sender,
    CloudEventPublisher publisher,
    ImageStore images,
    ILogger<WebhookActivities> logger)
{
    public const string Deliver = "DeliverWebhook";
    public const string RecordFailure = "RecordWebhookFailure";

    /// <summary>
    /// Orchestration step after the events are published: deliver with retries; when the last attempt
    /// fails, record the failure and carry on, so a webhook that is down never fails the job.
    /// </summary>
    public static async Task DeliverAsync(TaskOrchestrationContext context, WebhookSpec webhook, PublishEventsInput completion, WebhookPolicy policy, TaskOptions recordRetry)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(policy);
        try
        {
            var refused = await context.CallActivityAsync<WebhookRefusal?>(Deliver, new DeliverWebhookInput(webhook, completion), policy.ActivityOptions());
            if (refused is not null)
            {
                // DeliverWebhook already recorded the refusal in the manifest.
                Log.WebhookFailed(context.CreateReplaySafeLogger(nameof(WebhookActivities)), completion.JobId, refused.Reason);
            }
        }
        catch (TaskFailedException e)
        {
            string reason = e.FailureDetails.InnerFailure?.ErrorMessage ?? e.FailureDetails.ErrorMessage;
            Log.WebhookFailed(context.CreateReplaySafeLogger(nameof(WebhookActivities)), completion.JobId, reason);
            await context.CallActivityAsync(RecordFailure, new WebhookFailureInput(completion.JobId, reason), recordRetry);
        }
    }

    /// <returns>Null when every event was delivered; the refusal when the receiver or the SSRF guard refused (not retried).</returns>
    [Function(Deliver)]
    public async Task<WebhookRefusal?> DeliverWebhookAsync([ActivityTrigger] DeliverWebhookInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var completion = input.Completion;
        var target = new Uri(input.Webhook.Url);
        var events = FluxEvents.For(completion, publisher.ImageUri, publisher.ImageUri(completion.Manifest))
            .Where(e => input.Webhook.Wants(e.Type))
            .ToList();
        var manifest = await ManifestAsync(completion.JobId, cancellationToken).ConfigureAwait(false);
        var record = manifest.Webhook ?? new WebhookDelivery(WebhookSender.Describe(target), WebhookDelivery.Delivering, 0, 0, events.Count, null, null);
        record = record with { Attempts = record.Attempts + 1, Status = WebhookDelivery.Delivering };
        try
        {
            for (int i = record.EventsDelivered; i < events.Count; i++)
            {
                int status = await sender.SendAsync(target, events[i], cancellationToken).ConfigureAwait(false);
                record = record with { EventsDelivered = i + 1, LastStatusCode = status };
            }

            record = record with { Status = WebhookDelivery.Delivered };
            Log.WebhookDelivered(logger, completion.JobId, record.EventsDelivered, record.Attempts);
            return null;
        }
        catch (WebhookDeliveryException e)
        {
            record = record with { LastStatusCode = e.StatusCode ?? record.LastStatusCode, LastError = e.Message };
            throw;
        }
        catch (WebhookRefusedException e)
        {
            record = record with { Status = WebhookDelivery.Failed, LastStatusCode = e.StatusCode ?? record.LastStatusCode, LastError = e.Message };
            return new WebhookRefusal(e.Message);
        }
        finally
        {
            await images.WriteManifestAsync(completion.JobId, manifest with { Webhook = record }, CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>After the last attempt: the manifest says failed, with the reason.</summary>
    [Function(RecordFailure)]
    public async Task RecordWebhookFailureAsync([ActivityTrigger] WebhookFailureInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var manifest = await ManifestAsync(input.JobId, cancellationToken).ConfigureAwait(false);
        var record = manifest.Webhook ?? new WebhookDelivery("", WebhookDelivery.Failed, 0, 0, 0, null, input.Reason);
        record = record with { Status = WebhookDelivery.Failed, LastError = record.LastError ?? input.Reason };
        await images.WriteManifestAsync(input.JobId, manifest with { Webhook = record }, cancellationToken).ConfigureAwait(false);
    }

    private async Task<JobManifest> ManifestAsync(string jobId, CancellationToken cancellationToken)
        => await images.ReadManifestAsync<JobManifest>(jobId, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"job {jobId} has no manifest to record its webhook delivery in");
}

/// <summary>Why a webhook delivery was refused for good (a 4xx answer, a refused address).</summary>
internal sealed record WebhookRefusal(string Reason);
