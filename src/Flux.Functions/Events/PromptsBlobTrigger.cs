using Azure.Storage.Blobs;
using Flux.Functions.Jobs;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;

namespace Flux.Functions.Events;

/// <summary>
/// A prompts file in flux-prompts starts a job whose id derives from the blob name and ETag: the same
/// upload seen twice starts one job, a new upload under the same name starts another.
/// </summary>
public sealed class PromptsBlobTrigger(JobStarter starter)
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
        await starter.StartOrRejectAsync(client, JobSource.Blob, jobId, content, request, errors, cancellationToken).ConfigureAwait(false);
    }
}
