using Flux.Functions.Jobs;
using Flux.Functions.Storage;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;

namespace Flux.Functions.Queues;

/// <summary>
/// Bulk jobs from the flux-jobs queue. The job id defaults to a hash of the message, so a redelivered
/// message starts no second job. An invalid message is recorded in flux-rejections with the reason
/// and completes normally (no retry); other failures are retried and end in flux-jobs-poison.
/// </summary>
public sealed class JobQueueTrigger(JobStarter starter, RejectionStore rejections, ILogger<JobQueueTrigger> logger)
{
    public const string Name = "JobsQueue";

    [Function(Name)]
    public async Task RunAsync(
        [QueueTrigger(FluxOptions.JobsQueue, Connection = FluxOptions.TriggerConnection)] string message,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken)
    {
        string defaultId = JobIds.FromContent("queue", message);
        var (request, parseError) = JobStarter.Parse(message);
        var validation = parseError is null ? starter.Validate(request, defaultId) : null;
        if (validation?.Job is not { } job)
        {
            IReadOnlyList<string> reasons = parseError is not null ? [parseError] : validation!.Reasons;
            string record = await rejections.RecordAsync(JobSource.Queue, defaultId, message, reasons, cancellationToken).ConfigureAwait(false);
            Log.JobRejected(logger, JobSource.Queue, defaultId, record, string.Join("; ", reasons));
            return;
        }

        await starter.StartAsync(client, job, JobSource.Queue, cancellationToken).ConfigureAwait(false);
    }
}
