using Flux.Functions.Notifications;

namespace Flux.Functions.Jobs;

/// <summary>
/// A job as users send it (HTTP body, queue message, .jsonl line): every field but the prompts may
/// be left out. <see cref="JobValidator"/> turns it into a <see cref="JobSpec"/> or field errors.
/// </summary>
/// <param name="Model">The model to render with, as GET /api/models lists it; left out means the loaded one.</param>
public sealed record JobRequest(
    IReadOnlyList<JobItemRequest>? Items = null,
    JobItemRequest? Defaults = null,
    NotifySpec? Notify = null,
    string? JobId = null,
    string? Model = null);

/// <summary>One image of a request; null fields come from the job's defaults, then the model's.</summary>
public sealed record JobItemRequest(
    string? Prompt = null,
    int? Width = null,
    int? Height = null,
    int? Steps = null,
    float? Guidance = null,
    long? Seed = null,
    string? Sampler = null);

/// <summary>How completion is announced.</summary>
/// <param name="Events">Publish CloudEvents (queue and Event Grid) when the job completes.</param>
/// <param name="Tag">An opaque value copied into every event, so a chained pipeline can correlate.</param>
/// <param name="Webhook">Also POST the events, signed, to this URL.</param>
public sealed record NotifySpec(bool Events = true, string? Tag = null, WebhookSpec? Webhook = null);
