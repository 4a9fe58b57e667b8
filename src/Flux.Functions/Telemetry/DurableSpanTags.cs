using System.Diagnostics;
using Flux.Functions.Jobs;
using Flux.Functions.Orchestrations;
using OpenTelemetry;

namespace Flux.Functions.Telemetry;

/// <summary>
/// Adds the job id (and the image index) to Durable Task's spans of the app's orchestrations and activities, read
/// from the instance id they carry ("{jobId}" for GenerateJob and its activities, "{jobId}-{index}" for an
/// image's), so a job's spans can be found by the same tags as its stages'. Runs when a span ends, before the
/// exporters.
/// </summary>
internal sealed class DurableSpanTags : BaseProcessor<Activity>
{
    private const string InstanceIdTag = "durabletask.task.instance_id";
    private const string TaskNameTag = "durabletask.task.name";

    public override void OnEnd(Activity data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var (jobId, imageIndex) = JobAndImage(data);
        if (jobId is not null)
        {
            data.SetTag(FluxTelemetry.JobIdTag, jobId);
        }

        if (imageIndex is not null)
        {
            data.SetTag(FluxTelemetry.ImageIndexTag, imageIndex);
        }
    }

    /// <summary>The job and image a Durable Task span of this app belongs to; nulls for any other span.</summary>
    public static (string? JobId, int? ImageIndex) JobAndImage(Activity span)
    {
        ArgumentNullException.ThrowIfNull(span);
        if (span.Source.Name != FluxTelemetry.DurableTaskSource || span.GetTagItem(InstanceIdTag) is not string instanceId)
        {
            return (null, null);
        }

        return span.GetTagItem(TaskNameTag) switch
        {
            GenerateJob.Name or GenerateJob.WriteManifest or GenerateJob.PublishEvents => (instanceId, null),
            RenderImage.Name or RenderImage.EncodePrompt or RenderImage.Denoise or RenderImage.DecodeAndSave
                when JobIds.TryParseImageInstance(instanceId, out string jobId, out int index) => (jobId, index),
            RenderImage.Name => (instanceId, null), // the span that schedules an image carries its job's instance id
            _ => (null, null),
        };
    }
}
