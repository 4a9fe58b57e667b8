using Flux.Functions.Notifications;

namespace Flux.Functions.Jobs;

/// <summary>
/// A job as users send it (HTTP body, queue message, .jsonl line): every field but the prompts may
/// be left out. <see cref="JobValidator"/> turns it into a <see cref="JobSpec"/> or field errors.
/// </summary>
/// <param name="Model">The model to render with, as GET /api/models lists it; left out means the loaded one.</param>
internal sealed record JobRequest(
    IReadOnlyList<JobItemRequest>? Items = null,
    JobItemRequest? Defaults = null,
    NotifySpec? Notify = null,
    string? JobId = null,
    string? Model = null);

/// <summary>
/// One image of a request; null fields come from the job's defaults, then the model's. The optional features use
/// <see cref="Flux.Inference.GenerationSettings"/>' names and rules (diffusers' and the hosted APIs' words).
/// </summary>
/// <param name="Image">The input image of image-to-image and inpainting: uploaded ({"base64"}) or a blob of the inputs container ({"blob"}).</param>
/// <param name="Mask">The inpainting mask (white = repaint), given like <paramref name="Image"/>.</param>
/// <param name="Size">A size preset (fal's names: "square_hd", "landscape_16_9", ...) instead of width and height.</param>
internal sealed record JobItemRequest(
    string? Prompt = null,
    int? Width = null,
    int? Height = null,
    int? Steps = null,
    float? Guidance = null,
    long? Seed = null,
    string? Sampler = null,
    string? NegativePrompt = null,
    float? TrueCfgScale = null,
    string? Prompt2 = null,
    ImageInput? Image = null,
    float? Strength = null,
    ImageInput? Mask = null,
    string? Format = null,
    int? Quality = null,
    string? Size = null);

/// <summary>
/// An input image as a request gives it: exactly one of the encoded file in base64, or the name of a blob in the
/// service's inputs container (Flux:InputsContainer). Never a URL: the service fetches nothing from outside.
/// </summary>
internal sealed record ImageInput(string? Base64 = null, string? Blob = null);

/// <summary>How completion is announced.</summary>
/// <param name="Events">Publish CloudEvents (queue and Event Grid) when the job completes.</param>
/// <param name="Tag">An opaque value copied into every event, so a chained pipeline can correlate.</param>
/// <param name="Webhook">Also POST the events, signed, to this URL.</param>
internal sealed record NotifySpec(bool Events = true, string? Tag = null, WebhookSpec? Webhook = null);
