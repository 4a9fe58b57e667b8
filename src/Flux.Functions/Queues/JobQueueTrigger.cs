using Flux.Functions.Jobs;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;

namespace Flux.Functions.Queues;

/// <summary>
/// Bulk jobs from the flux-jobs queue. The job id defaults to a hash of the message, so a redelivered
/// message starts no second job. An invalid message is recorded in flux-rejections with the reason
/// and completes normally (no retry); other failures are retried and end in flux-jobs-poison.
/// </summary>
public sealed class JobQueueTrigger(JobStarter starter)
{
    public const string Name = "JobsQueue";

    [Function(Name)]
    public async Task RunAsync(
        [QueueTrigger(FluxOptions.JobsQueue, Connection = FluxOptions.TriggerConnection)] string message,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken)
    {
        var (request, readErrors) = JobStarter.Parse(message);
        await starter.StartOrRejectAsync(
            client, JobSource.Queue, JobIds.FromContent("queue", message), message, request, JobValidation.ReasonsOf(readErrors), cancellationToken)
            .ConfigureAwait(false);
    }
}
