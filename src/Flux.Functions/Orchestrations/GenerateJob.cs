using Flux.Functions.Jobs;
using Flux.Functions.Notifications;
using Flux.Functions.Rendering;
using Flux.Functions.Telemetry;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;

namespace Flux.Functions.Orchestrations;

/// <summary>
/// A job: one RenderImage sub-orchestration per item (instance "{jobId}-{index}"), at most
/// MaxParallelImages at a time; then WriteManifest, PublishEvents and, for notify.webhook, DeliverWebhook
/// (its failure is recorded in the manifest and never fails the job). A failed image is recorded
/// in the manifest and does not stop the others. Custom status: <see cref="JobProgress"/>. Images are
/// counted (flux.images.completed / failed) here, where each image's end is known once, and only when not
/// replaying: a replay runs this code again for every image already done.
/// </summary>
internal static class GenerateJob
{
    public const string Name = nameof(GenerateJob);
    public const string WriteManifest = nameof(WriteManifest);
    public const string PublishEvents = nameof(PublishEvents);

    [Function(Name)]
    public static Task<JobResult> Run([OrchestrationTrigger] TaskOrchestrationContext context)
        => RunAsync(context, context.GetInput<GenerateJobInput>() ?? throw new InvalidRenderInputException("GenerateJob needs an input"));

    public static async Task<JobResult> RunAsync(TaskOrchestrationContext context, GenerateJobInput input)
    {
        var log = context.CreateReplaySafeLogger(Name);
        var job = input.Job;
        var policy = input.Policy;
        Log.JobStarted(log, job.JobId, job.Items.Count, policy.MaxParallelImages);

        var running = new Dictionary<Task<ImageResult>, int>();
        var completed = new List<ImageResult>(job.Items.Count);
        var failed = new List<ImageFailure>();
        int next = 0;
        while (next < job.Items.Count || running.Count > 0)
        {
            while (next < job.Items.Count && running.Count < policy.MaxParallelImages)
            {
                var spec = job.Items[next++];
                var image = context.CallSubOrchestratorAsync<ImageResult>(
                    RenderImage.Name,
                    new RenderImageInput(job.JobId, spec, policy),
                    new SubOrchestrationOptions { InstanceId = JobIds.ImageInstance(job.JobId, spec.ImageIndex) });
                running.Add(image, spec.ImageIndex);
            }

            context.SetCustomStatus(new JobProgress(job.Items.Count, completed.Count, failed.Count, [.. running.Values.Order()]));
            var finished = await Task.WhenAny(running.Keys);
            int index = running[finished];
            running.Remove(finished);
            try
            {
                var image = await finished;
                completed.Add(image);
                if (!context.IsReplaying)
                {
                    FluxTelemetry.ImagesCompleted.Add(1, new KeyValuePair<string, object?>(FluxTelemetry.ModelTag, image.ModelId));
                }
            }
            catch (TaskFailedException e)
            {
                string reason = InnermostMessage(e.FailureDetails);
                failed.Add(new ImageFailure(index, job.Items[index].Prompt, reason));
                Log.ImageFailed(log, job.JobId, index, reason);
                if (!context.IsReplaying)
                {
                    FluxTelemetry.ImagesFailed.Add(1);
                }
            }
        }

        context.SetCustomStatus(new JobProgress(job.Items.Count, completed.Count, failed.Count, []));
        var retry = policy.ActivityOptions();
        var images = completed.OrderBy(r => r.Spec.ImageIndex).ToList();
        var failures = failed.OrderBy(f => f.Index).ToList();
        var manifest = await context.CallActivityAsync<string>(
            WriteManifest, new WriteManifestInput(job.JobId, context.CurrentUtcDateTime, images, failures), retry);
        var completion = new PublishEventsInput(job.JobId, manifest, context.CurrentUtcDateTime, job.Items.Count, images, failures.Count, job.Notify.Tag);
        if (job.Notify.Events)
        {
            await context.CallActivityAsync(PublishEvents, completion, retry);
        }

        if (job.Notify.Webhook is { } webhook)
        {
            await WebhookActivities.DeliverAsync(context, webhook, completion, input.Webhook ?? WebhookPolicy.Default, retry);
        }

        Log.JobCompleted(log, job.JobId, images.Count, failures.Count);
        return new JobResult(job.JobId, manifest, job.Items.Count, [.. images.Select(i => i.Spec.ImageIndex)], failures);
    }

    /// <summary>The sub-orchestration's failure wraps the activity's; the innermost message says what went wrong.</summary>
    private static string InnermostMessage(TaskFailureDetails? details)
    {
        if (details is null)
        {
            return "unknown failure";
        }

        while (details.InnerFailure is not null)
        {
            details = details.InnerFailure;
        }

        return details.ErrorMessage;
    }
}

/// <param name="Webhook">Retries of the webhook delivery; null (inputs from before webhooks) means the defaults.</param>
internal sealed record GenerateJobInput(JobSpec Job, RenderPolicy Policy, WebhookPolicy? Webhook = null);

/// <summary>Custom status of a GenerateJob instance: counts, and the images rendering now.</summary>
internal sealed record JobProgress(int Total, int Completed, int Failed, IReadOnlyList<int> Running);

internal sealed record ImageFailure(int Index, string Prompt, string Reason);

internal sealed record JobResult(string JobId, string Manifest, int Total, IReadOnlyList<int> Images, IReadOnlyList<ImageFailure> Failures);

/// <param name="CreatedAt">The orchestration's clock when the images were done.</param>
internal sealed record WriteManifestInput(string JobId, DateTime CreatedAt, IReadOnlyList<ImageResult> Images, IReadOnlyList<ImageFailure> Failures);

internal sealed record PublishEventsInput(
    string JobId, string Manifest, DateTime CompletedAt, int Total, IReadOnlyList<ImageResult> Images, int Failed, string? Tag);

/// <summary>The manifest written to flux-images/{jobId}/manifest.json.</summary>
/// <param name="Webhook">The webhook delivery's outcome, when the job has a webhook (written by DeliverWebhook).</param>
internal sealed record JobManifest(
    string JobId, string? Model, DateTime CreatedAt, int Total, IReadOnlyList<ManifestImage> Images, IReadOnlyList<ImageFailure> Failures,
    WebhookDelivery? Webhook = null);

/// <param name="Blob">The image's blob, its extension the format's (.png, .jpg, .webp).</param>
/// <param name="Format">"png", "jpeg" or "webp".</param>
internal sealed record ManifestImage(
    int Index, string Blob, string Sha256, string Prompt, int Width, int Height, int Steps, float Guidance, long Seed, string Sampler,
    string Format = "png");
