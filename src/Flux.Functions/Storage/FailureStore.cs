using Azure.Storage.Blobs.Models;
using Flux.Functions.Jobs;
using Microsoft.Extensions.Options;

namespace Flux.Functions.Storage;

/// <summary>
/// Valid messages whose processing failed, at <c>flux-rejections/failed/{source}/{id}.json</c>: the
/// latest attempt (the queue's dequeue count) and its reason, overwritten on each attempt. When the
/// host moves the message to flux-jobs-poison, this record says why.
/// </summary>
internal sealed class FailureStore(StorageClients storage, IOptions<FluxOptions> options, TimeProvider clock)
{
    public static string BlobName(JobSource source, string id) => $"failed/{source.ToString().ToLowerInvariant()}/{id}.json";

    public async Task<string> RecordAsync(JobSource source, string id, string content, long attempt, string reason, CancellationToken cancellationToken)
    {
        var container = await storage.ContainerAsync(options.Value.RejectionsContainer).ConfigureAwait(false);
        var blob = container.GetBlobClient(BlobName(source, id));
        var record = new ProcessingFailure(id, source.ToString(), attempt, clock.GetUtcNow(), reason,
            content.Length > RejectionStore.MaxRecordedContent ? content[..RejectionStore.MaxRecordedContent] : content);
        var upload = new BlobUploadOptions { HttpHeaders = new BlobHttpHeaders { ContentType = ImageStore.JsonContentType } };
        await blob.UploadAsync(BinaryData.FromObjectAsJson(record, ImageStore.JsonOptions), upload, cancellationToken).ConfigureAwait(false);
        return blob.Name;
    }

    public async Task<ProcessingFailure?> FindAsync(JobSource source, string id, CancellationToken cancellationToken)
    {
        var container = await storage.ContainerAsync(options.Value.RejectionsContainer).ConfigureAwait(false);
        var blob = container.GetBlobClient(BlobName(source, id));
        if (!await blob.ExistsAsync(cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        var content = await blob.DownloadContentAsync(cancellationToken).ConfigureAwait(false);
        return content.Value.Content.ToObjectFromJson<ProcessingFailure>(ImageStore.JsonOptions);
    }
}

/// <param name="Attempt">The dequeue count of the failed delivery (1 for the first).</param>
internal sealed record ProcessingFailure(string Id, string Source, long Attempt, DateTimeOffset FailedAt, string Reason, string Content);
