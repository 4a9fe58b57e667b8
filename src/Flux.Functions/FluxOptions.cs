using System.ComponentModel.DataAnnotations;
using Flux.Functions.Rendering;
using Flux.Inference;

namespace Flux.Functions;

/// <summary>
/// Settings of the generation service, bound from the "Flux" configuration section
/// (app settings <c>Flux__MaxParallelImages</c>, ...) and validated when the host starts.
/// </summary>
internal sealed class FluxOptions
{
    public const string SectionName = "Flux";

    /// <summary>The storage connection every trigger of this app binds to.</summary>
    public const string TriggerConnection = "AzureWebJobsStorage";

    /// <summary>Queue of bulk jobs (queue trigger); failures after retries go to "flux-jobs-poison".</summary>
    public const string JobsQueue = "flux-jobs";

    /// <summary>Container watched by the blob trigger for prompt files.</summary>
    public const string PromptsContainer = "flux-prompts";

    // ---- Model ----

    /// <summary>
    /// Model package folder; empty means the built-in "reference" package (built on first start). The device
    /// and the other ONNX Runtime settings are <see cref="Flux.Inference.Sessions.InferenceOptions"/> ("Flux:Inference").
    /// </summary>
    public string ModelPath { get; set; } = "";

    // ---- Orchestration policy ----

    /// <summary>How many images of one job render at the same time (the fan-out window).</summary>
    [Range(1, 256)]
    public int MaxParallelImages { get; set; } = 4;

    /// <summary>A Denoise activity writes a checkpoint every this many steps inside its chunk.</summary>
    [Range(1, 1000)]
    public int CheckpointEverySteps { get; set; } = 2;

    /// <summary>Steps one Denoise activity runs before it returns to the orchestrator.</summary>
    [Range(1, 1000)]
    public int DenoiseChunkSteps { get; set; } = 8;

    /// <summary>A Denoise activity stops after the step that crosses this wall-clock budget.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan DenoiseTimeBudget { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>How often a running Denoise activity checks whether its job was cancelled.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:01:00")]
    public TimeSpan CancellationPollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Attempts of an activity before its image fails (invalid input is never retried).</summary>
    [Range(1, 20)]
    public int ActivityMaxAttempts { get; set; } = 4;

    /// <summary>Wait before the first retry of a failed activity; it doubles on each later one.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:10:00")]
    public TimeSpan ActivityFirstRetryInterval { get; set; } = TimeSpan.FromSeconds(5);

    // ---- Request limits ----

    [Range(1, 10_000)]
    public int MaxPromptLength { get; set; } = 2000;

    // The image limits may narrow the pipeline's (GenerationSettings), never widen them: a job this
    // service accepts must not fail later in Denoise. Start-up validation refuses a wider setting.

    [Range(GenerationSettings.MinSide, GenerationSettings.MaxSide)]
    public int MaxWidth { get; set; } = 2048;

    [Range(GenerationSettings.MinSide, GenerationSettings.MaxSide)]
    public int MaxHeight { get; set; } = 2048;

    [Range(GenerationSettings.MinSteps, GenerationSettings.MaxSteps)]
    public int MaxSteps { get; set; } = 100;

    [Range(1, 100_000)]
    public int MaxImagesPerJob { get; set; } = 1000;

    /// <summary>Largest POST body and prompts file read (bytes); larger ones are refused before they are read.</summary>
    [Range(1024, 64 * 1024 * 1024)]
    public int MaxRequestBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>POST /api/generations accepted per second once the burst is used; more are answered 429 with Retry-After.</summary>
    [Range(1, 100_000)]
    public int StartsPerSecond { get; set; } = 10;

    /// <summary>Starts accepted at once before <see cref="StartsPerSecond"/> applies.</summary>
    [Range(1, 100_000)]
    public int StartBurst { get; set; } = 50;

    /// <summary>Largest input image (img2img source or mask) accepted, in encoded bytes.</summary>
    [Range(1024, 256 * 1024 * 1024)]
    public int MaxInputImageBytes { get; set; } = Flux.Inference.Imaging.InputImageLimits.DefaultMaxBytes;

    /// <summary>Largest input image accepted, in width x height as its header declares (checked before decoding).</summary>
    [Range(1, 256L * 1024 * 1024)]
    public long MaxInputImagePixels { get; set; } = Flux.Inference.Imaging.InputImageLimits.DefaultMaxPixels;

    /// <summary>The input-image limits as the decoder takes them.</summary>
    public Flux.Inference.Imaging.InputImageLimits InputImageLimits => new(MaxInputImageBytes, MaxInputImagePixels);

    // ---- Webhooks ----

    /// <summary>
    /// The Standard Webhooks signing secret of this deployment ("whsec_" + base64 of 24-64 random bytes),
    /// best a Key Vault reference in the app setting; empty disables notify.webhook.
    /// </summary>
    public string WebhookSecret { get; set; } = "";

    /// <summary>Lets webhooks reach loopback addresses (and http for them only): local development and tests.</summary>
    public bool AllowLoopbackWebhooks { get; set; }

    /// <summary>Delivery attempts of a job's webhook before it is recorded as failed.</summary>
    [Range(1, 20)]
    public int WebhookMaxAttempts { get; set; } = 5;

    /// <summary>Wait before the second attempt; it doubles on each later one.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:10:00")]
    public TimeSpan WebhookFirstRetryInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>One POST (connect, send, response headers) that takes longer fails the attempt.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:01:00")]
    public TimeSpan WebhookTimeout { get; set; } = TimeSpan.FromSeconds(10);

    // ---- Storage ----

    /// <summary>
    /// Name of the storage connection setting: a connection string under that name, or
    /// "{name}__blobServiceUri" / "{name}__queueServiceUri" for a managed identity.
    /// </summary>
    [Required]
    public string StorageConnection { get; set; } = TriggerConnection;

    /// <summary>Blob endpoint reached with DefaultAzureCredential; overrides <see cref="StorageConnection"/>.</summary>
    public Uri? BlobServiceUri { get; set; }

    /// <summary>Queue endpoint reached with DefaultAzureCredential; overrides <see cref="StorageConnection"/>.</summary>
    public Uri? QueueServiceUri { get; set; }

    [Required, RegularExpression(ContainerNamePattern)]
    public string ImagesContainer { get; set; } = "flux-images";

    [Required, RegularExpression(ContainerNamePattern)]
    public string CheckpointsContainer { get; set; } = "flux-checkpoints";

    [Required, RegularExpression(ContainerNamePattern)]
    public string ConditioningContainer { get; set; } = "flux-conditioning";

    /// <summary>Input images: blobs requests name ({"blob": "..."}) and the uploads ({"base64": "..."}) stored under "{jobId}/".</summary>
    [Required, RegularExpression(ContainerNamePattern)]
    public string InputsContainer { get; set; } = "flux-inputs";

    /// <summary>Where invalid queue messages and prompt files are recorded with their reason.</summary>
    [Required, RegularExpression(ContainerNamePattern)]
    public string RejectionsContainer { get; set; } = "flux-rejections";

    [Required, RegularExpression(ContainerNamePattern)]
    public string EventsQueue { get; set; } = "flux-events";

    /// <summary>
    /// How long an image link in GET /api/generations/{id} stays valid when storage is reached with a
    /// managed identity (a read-only user-delegation SAS for one blob). With a connection string, links go
    /// through the function-key-protected GET /api/generations/{id}/images/{n} instead.
    /// </summary>
    [Range(typeof(TimeSpan), "00:01:00", "01:00:00")]
    public TimeSpan ImageLinkLifetime { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Retries of one storage request (connection refused, 5xx, timeouts) inside the SDK, before the activity's own retry.</summary>
    [Range(0, 20)]
    public int StorageMaxRetries { get; set; } = 6;

    /// <summary>Wait before the first storage retry; it doubles (with jitter) up to <see cref="StorageMaxRetryDelay"/>.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:01:00")]
    public TimeSpan StorageRetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    [Range(typeof(TimeSpan), "00:00:00.010", "00:10:00")]
    public TimeSpan StorageMaxRetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>One storage request that takes longer than this is abandoned and retried.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan StorageNetworkTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Event Grid topic for completion CloudEvents; none configured means queue only.</summary>
    public Uri? EventGridTopicEndpoint { get; set; }

    /// <summary>The image rules job validation applies: the pipeline's, with this service's maxima and the model's fixed size.</summary>
    public GenerationLimits ImageLimits(ModelDefaults model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return new GenerationLimits(MaxWidth, MaxHeight, MaxSteps, model.FixedSize ? model.Width : null, model.FixedSize ? model.Height : null);
    }

    /// <summary>Azure container and queue names: 3-63 lower-case letters, digits and single dashes.</summary>
    private const string ContainerNamePattern = "^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$";
}
