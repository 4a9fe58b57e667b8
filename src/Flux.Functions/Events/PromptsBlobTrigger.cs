using Azure.Storage.Blobs;
using Flux.Functions.Jobs;
using Flux.Functions.Storage;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;

namespace Flux.Functions.Events;

/// <summary>
/// A prompts file in flux-prompts starts a job whose id derives from the blob name and ETag: the same
/// upload seen twice starts one job, a new upload under the same name starts another.
/// </summary>
public sealed class PromptsBlobTrigger(JobStarter starter, RejectionStore rejections, ILogger<PromptsBlobTrigger> logger)
{
    public const string Name = "PromptsBlob";

    [Function(Name)]
    public async Task RunAsync(
        [BlobTrigger(FluxOptions.PromptsContainer + "/{name}", Connection = FluxOptions.TriggerConnection)] BlobClient blob,
        string name,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(blob);
        var download = await blob.DownloadContentAsync(cancellationToken).ConfigureAwait(false);
        string jobId = JobIds.FromContent("prompts", $"{name}\n{download.Value.Details.ETag}");
        string content = download.Value.Content.ToString();
        var (request, errors) = PromptFile.Parse(name, content);
        var validation = request is null ? null : starter.Validate(request, jobId);
        if (validation?.Job is not { } job)
        {
            IReadOnlyList<string> reasons = validation?.Reasons ?? errors;
            string record = await rejections.RecordAsync(JobSource.Blob, jobId, content, reasons, cancellationToken).ConfigureAwait(false);
            Log.JobRejected(logger, JobSource.Blob, jobId, record, string.Join("; ", reasons));
            return;
        }

        await starter.StartAsync(client, job, JobSource.Blob, cancellationToken).ConfigureAwait(false);
    }
}
