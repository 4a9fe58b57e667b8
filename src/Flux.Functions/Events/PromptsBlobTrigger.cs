using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Flux.Functions.Jobs;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Options;

namespace Flux.Functions.Events;

/// <summary>
/// A prompts file in flux-prompts starts a job whose id derives from the blob name and ETag: the same
/// upload seen twice starts one job, a new upload under the same name starts another. A file larger
/// than Flux:MaxRequestBytes is recorded as rejected without being downloaded.
/// </summary>
internal sealed class PromptsBlobTrigger(JobStarter starter, IOptions<FluxOptions> options)
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
        var properties = (await blob.GetPropertiesAsync(cancellationToken: cancellationToken).ConfigureAwait(false)).Value;
        string jobId = JobIds.FromContent("prompts", $"{name}\n{properties.ETag}");
        int limit = options.Value.MaxRequestBytes;
        if (properties.ContentLength > limit)
        {
            string reason = $"size: prompts file of {properties.ContentLength} bytes exceeds the limit of {limit} bytes (Flux:MaxRequestBytes)";
            await starter.StartOrRejectAsync(client, JobSource.Blob, jobId, "", null, [reason], cancellationToken).ConfigureAwait(false);
            return;
        }

        // The version whose ETag named the job: a newer upload fails this read and is seen again as its own job.
        var download = await blob.DownloadContentAsync(
            new BlobDownloadOptions { Conditions = new BlobRequestConditions { IfMatch = properties.ETag } }, cancellationToken).ConfigureAwait(false);
        string content = download.Value.Content.ToString();
        var (request, errors) = PromptFile.Parse(name, content);
        await starter.StartOrRejectAsync(client, JobSource.Blob, jobId, content, request, errors, cancellationToken).ConfigureAwait(false);
    }
}
