using System.Globalization;
using Flux.Functions.Jobs;
using Flux.Functions.Storage;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;

namespace Flux.Functions.Queues;

/// <summary>
/// Bulk jobs from the flux-jobs queue. The job id defaults to a hash of the message, so a redelivered
/// message starts no second job. An invalid message is recorded in flux-rejections with the reason
/// and completes normally (no retry). Any other failure is recorded in flux-rejections/failed/queue
/// with its attempt and reason and rethrown: the host delivers the message again, and after
/// host.json's maxDequeueCount deliveries moves it to flux-jobs-poison.
/// </summary>
internal sealed class JobQueueTrigger(JobStarter starter, FailureStore failures, ILogger<JobQueueTrigger> logger)
{
    public const string Name = "JobsQueue";

    /// <summary>The trigger metadata the host passes with each delivery (1 on the first).</summary>
    public const string DequeueCountKey = "DequeueCount";

    [Function(Name)]
    public Task RunAsync(
        [QueueTrigger(FluxOptions.JobsQueue, Connection = FluxOptions.TriggerConnection)] string message,
        [DurableClient] DurableTaskClient client,
        FunctionContext context,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        return HandleAsync(message, DequeueCount(context.BindingContext.BindingData), client, cancellationToken);
    }

    /// <summary>One delivery of a message: starts or rejects its job; records and rethrows anything else.</summary>
    public async Task HandleAsync(string message, long dequeueCount, DurableTaskClient client, CancellationToken cancellationToken)
    {
        string jobId = JobIds.FromContent("queue", message);
        try
        {
            var (request, readErrors) = JobStarter.Parse(message);
            await starter.StartOrRejectAsync(
                client, JobSource.Queue, jobId, message, request, JobValidation.ReasonsOf(readErrors), cancellationToken)
                .ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Log.QueueMessageFailed(logger, jobId, dequeueCount, e.Message);
            try
            {
                await failures.RecordAsync(JobSource.Queue, jobId, message, dequeueCount, e.Message, cancellationToken).ConfigureAwait(false);
            }
            catch (Azure.RequestFailedException recordError)
            {
                Log.FailureNotRecorded(logger, jobId, recordError.Message); // the delivery still fails with the original error
            }

            throw;
        }
    }

    /// <summary>The host passes metadata as strings or numbers; an absent count is read as the first delivery.</summary>
    public static long DequeueCount(IReadOnlyDictionary<string, object?> bindingData)
    {
        ArgumentNullException.ThrowIfNull(bindingData);
        return bindingData.TryGetValue(DequeueCountKey, out var value)
            && long.TryParse(Convert.ToString(value, CultureInfo.InvariantCulture), NumberStyles.Integer, CultureInfo.InvariantCulture, out long count)
            ? count
            : 1;
    }
}
