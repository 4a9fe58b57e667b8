using Flux.Functions.Jobs;
using Flux.Functions.Orchestrations;
using Flux.Functions.Rendering;
using Flux.Functions.Storage;
using Flux.Functions.Telemetry;
using System.Diagnostics;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Flux.Functions.Activities;

/// <summary>
/// The activities of <see cref="RenderImage"/>. Each is idempotent: run again with the same input it
/// reads the same blobs and writes the same ones. Each returns an <see cref="ActivityOutcome{T}"/>:
/// invalid input and a cancelled job are results, not failures, because exception types do not survive
/// the isolated worker's boundary.
/// </summary>
internal sealed class RenderActivities(
    IImageRenderer renderer,
    ConditioningStore conditioning,
    CheckpointStore checkpoints,
    ImageStore images,
    JobInputImages inputs,
    IOptions<FluxOptions> options,
    ILogger<RenderActivities> logger)
{
    /// <summary>Encodes the prompt unless the conditioning of this model and prompt is already stored.</summary>
    [Function(RenderImage.EncodePrompt)]
    public Task<ActivityOutcome<ConditioningRef>> EncodePromptAsync([ActivityTrigger] EncodePromptInput input, CancellationToken cancellationToken)
        => ActivityOutcome.OfAsync(() => EncodeAsync(input, cancellationToken));

    private async Task<ConditioningRef> EncodeAsync(EncodePromptInput input, CancellationToken cancellationToken)
    {
        FluxTelemetry.TagActivity(renderer.ModelId, steps: null);
        var (blobName, encoded) = await conditioning.GetOrAddAsync(
            renderer.ModelId,
            ConditioningStore.Key(input.Spec),
            async ct =>
            {
                using var stage = FluxTelemetry.StartStage(FluxTelemetry.EncodeStage, renderer.ModelId, steps: null);
                return await renderer.EncodePromptAsync(input.Spec, ct).ConfigureAwait(false);
            },
            cancellationToken).ConfigureAwait(false);
        Log.ConditioningReady(logger, blobName, encoded);
        return new ConditioningRef(blobName, renderer.ModelId, encoded);
    }

    /// <summary>
    /// Resumes from the latest checkpoint (or the seed's noise), runs up to a chunk of steps within the
    /// time budget, checkpointing every K steps on the way and once at the end.
    /// </summary>
    [Function(RenderImage.Denoise)]
    public Task<ActivityOutcome<DenoiseProgress>> DenoiseAsync([ActivityTrigger] DenoiseInput input, CancellationToken cancellationToken)
        => ActivityOutcome.OfAsync(() => DenoiseChunkAsync(input, cancellationToken));

    private async Task<DenoiseProgress> DenoiseChunkAsync(DenoiseInput input, CancellationToken cancellationToken)
    {
        int index = input.Spec.ImageIndex;
        byte[] text = await conditioning.ReadAsync(input.ConditioningBlob, cancellationToken).ConfigureAwait(false);
        byte[]? latest = await checkpoints.ReadAsync(input.JobId, index, cancellationToken).ConfigureAwait(false);
        var source = await SourceAsync(input.Spec, cancellationToken).ConfigureAwait(false);

        // Spelled out: a null byte[] (even the literal null in a ?: with a memory) converts implicitly
        // to an empty, non-null ReadOnlyMemory, which would read as a corrupt checkpoint.
        ReadOnlyMemory<byte>? resumeFrom = default;
        if (latest is not null)
        {
            resumeFrom = latest;
        }

        FluxTelemetry.TagActivity(renderer.ModelId, input.Spec.Steps);
        await using var watch = CancellationWatch.Start(checkpoints, input.JobId, options.Value.CancellationPollInterval, cancellationToken);
        using var stage = FluxTelemetry.StartStage(FluxTelemetry.DenoiseStage, renderer.ModelId, input.Spec.Steps)?.SetTag(FluxTelemetry.StepFromTag, input.FromStep);
        long started = Stopwatch.GetTimestamp();
        DenoiseChunk chunk;
        try
        {
            var request = new DenoiseChunkRequest(input.Spec, text, resumeFrom, input.MaxSteps, input.TimeBudget, (state, step, ct) =>
            {
                Log.CheckpointSaved(logger, input.JobId, index, step);
                return checkpoints.WriteAsync(input.JobId, index, state, ct);
            })
            {
                Source = source,
            };
            chunk = await renderer.DenoiseAsync(request, watch.Token).ConfigureAwait(false);
            FluxTelemetry.RecordChunk(stage, input.FromStep, chunk.Step, Stopwatch.GetElapsedTime(started), renderer.ModelId);
            await checkpoints.WriteAsync(input.JobId, index, chunk.Checkpoint, watch.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (watch.JobCancelled && !cancellationToken.IsCancellationRequested)
        {
            throw await CancelledAsync(input.JobId, index).ConfigureAwait(false);
        }

        // Cancelled after the last poll: the marker is written before DELETE cleans up, so this check
        // (after our write) or that cleanup (after the marker) removes the checkpoint just written.
        if (await checkpoints.IsCancelledAsync(input.JobId, cancellationToken).ConfigureAwait(false))
        {
            throw await CancelledAsync(input.JobId, index).ConfigureAwait(false);
        }

        return new DenoiseProgress(chunk.Step, chunk.TotalSteps);
    }

    /// <summary>
    /// The input image and mask, read from their blobs and checked again as at submission (a blob may have been
    /// replaced since): a refusal is invalid input, which no retry fixes.
    /// </summary>
    private async Task<SourceImage?> SourceAsync(Inference.GenerationSettings spec, CancellationToken cancellationToken)
    {
        if (spec.Image is null)
        {
            return null;
        }

        try
        {
            var image = await inputs.LoadImageAsync(spec, cancellationToken).ConfigureAwait(false);
            var mask = await inputs.LoadMaskAsync(spec, cancellationToken).ConfigureAwait(false);
            return new SourceImage(image!, mask);
        }
        catch (Inference.Imaging.InputImageException e)
        {
            throw new InvalidRenderInputException($"input {e.Message}", e);
        }
    }

    private async Task<JobCancelledException> CancelledAsync(string jobId, int index)
    {
        await checkpoints.DeleteAsync(jobId, index, CancellationToken.None).ConfigureAwait(false);
        Log.DenoiseCancelled(logger, jobId, index);
        return new JobCancelledException($"job {jobId} was cancelled; image {index} stopped and its checkpoint was deleted");
    }

    /// <summary>Decodes the final checkpoint, stores the image in the requested format with its metadata, then deletes the checkpoint.</summary>
    [Function(RenderImage.DecodeAndSave)]
    public Task<ActivityOutcome<SavedImage>> DecodeAndSaveAsync([ActivityTrigger] DecodeAndSaveInput input, CancellationToken cancellationToken)
        => ActivityOutcome.OfAsync(() => DecodeAsync(input, cancellationToken));

    private async Task<SavedImage> DecodeAsync(DecodeAndSaveInput input, CancellationToken cancellationToken)
    {
        int index = input.Spec.ImageIndex;
        byte[]? final = await checkpoints.ReadAsync(input.JobId, index, cancellationToken).ConfigureAwait(false);
        if (final is null)
        {
            // A rerun after the checkpoint was deleted: the image is already stored.
            var stored = await images.FindImageAsync(input.JobId, index, input.Spec.OutputFormat, cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidRenderInputException($"image {index} of job {input.JobId} has neither a final checkpoint nor a stored image");
            return new SavedImage(stored.BlobName, stored.Sha256);
        }

        FluxTelemetry.TagActivity(renderer.ModelId, input.Spec.Steps);
        byte[] file;
        using (FluxTelemetry.StartStage(FluxTelemetry.DecodeStage, renderer.ModelId, input.Spec.Steps))
        {
            file = await renderer.DecodeAsync(input.Spec, final, cancellationToken).ConfigureAwait(false);
        }

        var saved = await images.SaveImageAsync(input.JobId, input.Spec, renderer.ModelId, file, cancellationToken).ConfigureAwait(false);
        await checkpoints.DeleteAsync(input.JobId, index, cancellationToken).ConfigureAwait(false);
        Log.ImageSaved(logger, input.JobId, index, saved.BlobName, saved.Length);
        return new SavedImage(saved.BlobName, saved.Sha256);
    }
}
