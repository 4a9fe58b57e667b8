using Flux.Functions.Events;
using Flux.Functions.Orchestrations;
using Flux.Functions.Rendering;
using Flux.Functions.Storage;
using Flux.Inference.Imaging;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace Flux.Functions.Activities;

/// <summary>The activities of <see cref="GenerateJob"/> after its images are done.</summary>
internal sealed class JobActivities(
    IImageRenderer renderer,
    ImageStore images,
    CloudEventPublisher publisher,
    ILogger<JobActivities> logger)
{
    /// <summary>Writes flux-images/{jobId}/manifest.json; returns its blob name.</summary>
    [Function(GenerateJob.WriteManifest)]
    public async Task<string> WriteManifestAsync([ActivityTrigger] WriteManifestInput input, CancellationToken cancellationToken)
    {
        var manifest = new JobManifest(
            input.JobId,
            input.Images.Count > 0 ? input.Images[0].ModelId : renderer.ModelId,
            input.CreatedAt,
            input.Images.Count + input.Failures.Count,
            [.. input.Images.Select(i => new ManifestImage(
                i.Spec.ImageIndex, i.BlobName, i.Sha256, i.Spec.Prompt, i.Spec.Width, i.Spec.Height,
                i.Spec.Steps, i.Spec.Guidance, i.Spec.Seed, i.Spec.Sampler, i.Spec.OutputFormat.Name()))],
            input.Failures);
        string blob = await images.WriteManifestAsync(input.JobId, manifest, cancellationToken).ConfigureAwait(false);
        Log.ManifestWritten(logger, input.JobId, blob);
        return blob;
    }

    /// <summary>One ImageCompleted CloudEvent per image, then JobCompleted; ids are stable, so a rerun sends duplicates a consumer can drop.</summary>
    [Function(GenerateJob.PublishEvents)]
    public async Task PublishEventsAsync([ActivityTrigger] PublishEventsInput input, CancellationToken cancellationToken)
    {
        var events = FluxEvents.For(input, publisher.ImageUri, publisher.ImageUri(input.Manifest));
        await publisher.PublishAsync(events, cancellationToken).ConfigureAwait(false);
    }
}
