using System.Text.Json;
using System.Text.Json.Serialization;
using Flux.Functions.Rendering;
using Flux.Inference;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;

namespace Flux.Functions.Orchestrations;

/// <summary>
/// One image: EncodePrompt (cached by model + prompt), Denoise in chunks until every step is done
/// (each chunk resumes from the checkpoint blob), then DecodeAndSave. Deterministic: no clock, no
/// I/O; everything in history is a small record with blob names, never a tensor.
/// </summary>
internal static class RenderImage
{
    public const string Name = nameof(RenderImage);
    public const string EncodePrompt = nameof(EncodePrompt);
    public const string Denoise = nameof(Denoise);
    public const string DecodeAndSave = nameof(DecodeAndSave);

    [Function(Name)]
    public static Task<ImageResult> Run([OrchestrationTrigger] TaskOrchestrationContext context)
        => RunAsync(context, context.GetInput<RenderImageInput>() ?? throw new InvalidRenderInputException("RenderImage needs an input"));

    /// <summary>
    /// How long an image whose activity stopped because its job was cancelled waits to be terminated. The cancel
    /// request sets the job's cancellation marker (which running activities watch) and then terminates the job and
    /// its images; waiting lets that termination end the image as Terminated, "cancelled by request", rather than
    /// the activity's failure racing it to a Failed status. If no termination comes, the failure stands.
    /// </summary>
    public static readonly TimeSpan CancelledTerminationGrace = TimeSpan.FromMinutes(5);

    public static async Task<ImageResult> RunAsync(TaskOrchestrationContext context, RenderImageInput input)
    {
        ArgumentNullException.ThrowIfNull(context);
        try
        {
            return await RenderAsync(context, input);
        }
        catch (JobCancelledException)
        {
            await context.CreateTimer(context.CurrentUtcDateTime + CancelledTerminationGrace, CancellationToken.None);
            throw;
        }
    }

    private static async Task<ImageResult> RenderAsync(TaskOrchestrationContext context, RenderImageInput input)
    {
        var log = context.CreateReplaySafeLogger(Name);
        var spec = input.Spec;
        var retry = input.Policy.ActivityOptions();

        context.SetCustomStatus(new ImageProgress(ImageStage.Encoding, 0, spec.Steps));
        var conditioning = await CallAsync<ConditioningRef>(context, EncodePrompt, new EncodePromptInput(spec), retry);

        var reached = new DenoiseProgress(0, spec.Steps);
        while (!reached.IsCompleted)
        {
            context.SetCustomStatus(new ImageProgress(ImageStage.Denoising, reached.Step, reached.TotalSteps));
            var chunk = await CallAsync<DenoiseProgress>(
                context,
                Denoise,
                new DenoiseInput(input.JobId, spec, conditioning.BlobName, input.Policy.DenoiseChunkSteps, input.Policy.DenoiseTimeBudget, reached.Step),
                retry);
            if (chunk.Step <= reached.Step && !chunk.IsCompleted)
            {
                throw new InvalidOperationException($"Denoise of image {spec.ImageIndex} made no progress past step {reached.Step} of {spec.Steps}");
            }

            reached = chunk;
            Log.DenoiseChunkCompleted(log, input.JobId, spec.ImageIndex, reached.Step, reached.TotalSteps);
        }

        context.SetCustomStatus(new ImageProgress(ImageStage.Decoding, reached.Step, reached.TotalSteps));
        var saved = await CallAsync<SavedImage>(context, DecodeAndSave, new DecodeAndSaveInput(input.JobId, spec), retry);
        context.SetCustomStatus(new ImageProgress(ImageStage.Completed, reached.Step, reached.TotalSteps));
        return new ImageResult(spec, saved.BlobName, saved.Sha256, conditioning.ModelId);
    }

    /// <summary>
    /// Calls a render activity; its expected ends (see <see cref="ActivityOutcome{T}"/>) come back as data and
    /// are raised here, in the orchestrator, as <see cref="InvalidRenderInputException"/> (fails the image with
    /// its message) or <see cref="JobCancelledException"/> (waits for the termination).
    /// </summary>
    private static async Task<T> CallAsync<T>(TaskOrchestrationContext context, string activity, object input, TaskOptions retry)
        => (await context.CallActivityAsync<ActivityOutcome<T>>(activity, input, retry)).ValueOrThrow();
}

internal sealed record RenderImageInput(string JobId, GenerationSettings Spec, RenderPolicy Policy);

/// <summary>Custom status of a RenderImage instance, and what GET /api/generations/{id} shows of it under currentSteps.</summary>
internal sealed record ImageProgress(ImageStage Stage, int Step, int TotalSteps);

/// <summary>Written as "encoding", "denoising", "decoding", "completed" (the status API's words; numbers are still read).</summary>
[JsonConverter(typeof(ImageStageJson))]
internal enum ImageStage
{
    Encoding,
    Denoising,
    Decoding,
    Completed,
}

internal sealed class ImageStageJson() : JsonStringEnumConverter<ImageStage>(JsonNamingPolicy.CamelCase);

/// <summary>The image whose text is encoded: its prompt, prompt2 and, with true CFG, negative prompt (the conditioning cache key).</summary>
internal sealed record EncodePromptInput(GenerationSettings Spec);

/// <param name="Encoded">False when the conditioning came from the cache.</param>
internal sealed record ConditioningRef(string BlobName, string ModelId, bool Encoded);

/// <param name="MaxSteps">Steps this chunk may run (the chunk size).</param>
/// <param name="FromStep">The step the orchestration had reached when it asked for this chunk (for telemetry: a retry
/// after a crash resumes from a later checkpoint).</param>
internal sealed record DenoiseInput(string JobId, GenerationSettings Spec, string ConditioningBlob, int MaxSteps, TimeSpan TimeBudget, int FromStep = 0);

internal sealed record DenoiseProgress(int Step, int TotalSteps)
{
    public bool IsCompleted => Step >= TotalSteps;
}

internal sealed record DecodeAndSaveInput(string JobId, GenerationSettings Spec);

internal sealed record SavedImage(string BlobName, string Sha256);

/// <summary>The output of RenderImage: what the manifest and the events say about one image.</summary>
internal sealed record ImageResult(GenerationSettings Spec, string BlobName, string Sha256, string ModelId);
