using Flux.Functions.Jobs;
using Microsoft.Extensions.Logging;

namespace Flux.Functions;

/// <summary>Every log line of the service, source-generated, with stable event ids.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1000, Level = LogLevel.Information, Message = "Job {JobId} started: {Images} images, at most {MaxParallel} at a time")]
    public static partial void JobStarted(ILogger logger, string jobId, int images, int maxParallel);

    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "Job {JobId} completed: {Completed} images, {Failed} failed")]
    public static partial void JobCompleted(ILogger logger, string jobId, int completed, int failed);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Warning, Message = "Job {JobId} image {Index} failed: {Reason}")]
    public static partial void ImageFailed(ILogger logger, string jobId, int index, string reason);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Debug, Message = "Job {JobId} image {Index} denoised to step {Step} of {TotalSteps}")]
    public static partial void DenoiseChunkCompleted(ILogger logger, string jobId, int index, int step, int totalSteps);

    [LoggerMessage(EventId = 1100, Level = LogLevel.Debug, Message = "Conditioning {BlobName} ready (encoded now: {Encoded})")]
    public static partial void ConditioningReady(ILogger logger, string blobName, bool encoded);

    [LoggerMessage(EventId = 1101, Level = LogLevel.Debug, Message = "Job {JobId} image {Index} checkpoint saved at step {Step}")]
    public static partial void CheckpointSaved(ILogger logger, string jobId, int index, int step);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Information, Message = "Job {JobId} image {Index} saved to {BlobName} ({Bytes} bytes)")]
    public static partial void ImageSaved(ILogger logger, string jobId, int index, string blobName, long bytes);

    [LoggerMessage(EventId = 1103, Level = LogLevel.Information, Message = "Job {JobId} manifest written to {BlobName}")]
    public static partial void ManifestWritten(ILogger logger, string jobId, string blobName);

    [LoggerMessage(EventId = 1104, Level = LogLevel.Information, Message = "Published {Count} CloudEvents (Event Grid: {EventGrid})")]
    public static partial void EventsPublished(ILogger logger, int count, bool eventGrid);

    [LoggerMessage(EventId = 1105, Level = LogLevel.Information, Message = "Renderer ready: model {ModelId}")]
    public static partial void RendererReady(ILogger logger, string modelId);

    [LoggerMessage(EventId = 1106, Level = LogLevel.Critical, Message = "Renderer cannot open the model ({ModelFile}): {Reason}; the host keeps running, renders fail until the model is fixed")]
    public static partial void RendererFailed(ILogger logger, string modelFile, string reason, Exception exception);

    [LoggerMessage(EventId = 1107, Level = LogLevel.Information, Message = "Job {JobId} image {Index} stopped: the job was cancelled")]
    public static partial void DenoiseCancelled(ILogger logger, string jobId, int index);

    [LoggerMessage(EventId = 1200, Level = LogLevel.Information, Message = "Job {JobId} scheduled from {Source} with {Images} images")]
    public static partial void JobScheduled(ILogger logger, string jobId, JobSource source, int images);

    [LoggerMessage(EventId = 1201, Level = LogLevel.Information, Message = "Job {JobId} from {Source} already exists; not started again")]
    public static partial void JobAlreadyStarted(ILogger logger, string jobId, JobSource source);

    [LoggerMessage(EventId = 1203, Level = LogLevel.Warning, Message = "Queue job {JobId} failed on delivery {DequeueCount}: {Reason}")]
    public static partial void QueueMessageFailed(ILogger logger, string jobId, long dequeueCount, string reason);

    [LoggerMessage(EventId = 1204, Level = LogLevel.Error, Message = "Queue job {JobId}: the failure could not be recorded: {Reason}")]
    public static partial void FailureNotRecorded(ILogger logger, string jobId, string reason);

    [LoggerMessage(EventId = 1300, Level = LogLevel.Information, Message = "Job {JobId} webhook delivered {Events} events in {Attempts} attempts")]
    public static partial void WebhookDelivered(ILogger logger, string jobId, int events, int attempts);

    [LoggerMessage(EventId = 1301, Level = LogLevel.Warning, Message = "Job {JobId} webhook delivery failed; the job completes without it: {Reason}")]
    public static partial void WebhookFailed(ILogger logger, string jobId, string reason);

    [LoggerMessage(EventId = 1202, Level = LogLevel.Warning, Message = "{Source} job {JobId} rejected (recorded in {Record}): {Reasons}")]
    public static partial void JobRejected(ILogger logger, JobSource source, string jobId, string record, string reasons);

    [LoggerMessage(EventId = 1400, Level = LogLevel.Debug, Message = "Queue {Queue} backlog not read: {Reason}")]
    public static partial void QueueBacklogUnread(ILogger logger, string queue, string reason);
}
