using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Flux.Functions.Telemetry;

/// <summary>
/// The service's OpenTelemetry signals, through System.Diagnostics (exported by the OpenTelemetry SDK, see
/// <see cref="TelemetryServiceCollectionExtensions"/>).
/// <para>
/// Spans: job -> image -> activity are Durable Task's own spans (orchestration:GenerateJob,
/// orchestration:RenderImage, activity:Denoise, ...; source "Microsoft.DurableTask"), which the Durable Task
/// worker emits once per orchestration, when it completes, with ids fixed in its history: they are replay-safe by
/// construction, where a span started in orchestrator code would start again on every replay and could not end in
/// another episode. <see cref="DurableSpanTags"/> adds the job id and image index to them; the activities tag
/// their span (Activity.Current) with job, image, model and steps, and open stage spans under it from
/// <see cref="Source"/>. Orchestrator code only records metrics, and only when not replaying.
/// </para>
/// </summary>
internal static class FluxTelemetry
{
    public const string Name = "Flux.Functions";

    /// <summary>The source of Durable Task's orchestration and activity spans.</summary>
    public const string DurableTaskSource = "Microsoft.DurableTask";

    public const string JobIdTag = "flux.job.id";
    public const string ImageIndexTag = "flux.image.index";
    public const string ModelTag = "flux.model";
    public const string StepsTag = "flux.steps";
    public const string StepFromTag = "flux.step.from";
    public const string StepToTag = "flux.step.to";
    public const string QueueTag = "flux.queue";

    public static readonly ActivitySource Source = new(Name);

    public static readonly Meter Meter = new(Name);

    /// <summary>Images saved (counted by GenerateJob as each image's sub-orchestration completes, never on replay).</summary>
    public static readonly Counter<long> ImagesCompleted = Meter.CreateCounter<long>("flux.images.completed", "{image}", "Images rendered and saved");

    /// <summary>Images that failed after their retries (counted by GenerateJob, never on replay).</summary>
    public static readonly Counter<long> ImagesFailed = Meter.CreateCounter<long>("flux.images.failed", "{image}", "Images that failed");

    /// <summary>
    /// Wall time per sampler step, one value per Denoise chunk (the chunk's time over the steps it ran): the
    /// renderer interface reports chunks, not single steps.
    /// </summary>
    public static readonly Histogram<double> StepDuration = Meter.CreateHistogram<double>("flux.denoise.step.duration", "s", "Seconds per sampler step, averaged over a Denoise chunk");

    public const string EncodeStage = "flux.encode";
    public const string DenoiseStage = "flux.denoise";
    public const string DecodeStage = "flux.decode";

    /// <summary>
    /// Tags the running activity's span (Durable Task's activity:Name, whose job and image tags
    /// <see cref="DurableSpanTags"/> adds) with the model and the image's steps.
    /// </summary>
    public static void TagActivity(string model, int? steps) => Tag(Activity.Current, model, steps);

    /// <summary>A stage span under the running activity's span, with the same tags (job and image copied from it).</summary>
    public static Activity? StartStage(string stage, string model, int? steps)
    {
        var parent = Activity.Current;
        var span = Source.StartActivity(stage);
        if (span is not null && parent is not null)
        {
            span.SetTag(JobIdTag, JobIdOf(parent)).SetTag(ImageIndexTag, ImageIndexOf(parent));
        }

        return Tag(span, model, steps);
    }

    /// <summary>Closes a Denoise stage: the step it reached on its span, and the mean step time in <see cref="StepDuration"/>.</summary>
    public static void RecordChunk(Activity? stage, int fromStep, int reachedStep, TimeSpan elapsed, string model)
    {
        stage?.SetTag(StepToTag, reachedStep);
        if (reachedStep > fromStep)
        {
            StepDuration.Record(elapsed.TotalSeconds / (reachedStep - fromStep), new KeyValuePair<string, object?>(ModelTag, model));
        }
    }

    private static Activity? Tag(Activity? span, string model, int? steps)
    {
        span?.SetTag(ModelTag, model);
        if (steps is { } count)
        {
            span?.SetTag(StepsTag, count);
        }

        return span;
    }

    private static object? JobIdOf(Activity span) => span.GetTagItem(JobIdTag) ?? DurableSpanTags.JobAndImage(span).JobId;

    private static object? ImageIndexOf(Activity span) => span.GetTagItem(ImageIndexTag) ?? DurableSpanTags.JobAndImage(span).ImageIndex;
}
