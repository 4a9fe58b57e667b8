using Azure.Storage.Blobs.Models;
using Flux.Functions.Jobs;
using Microsoft.Extensions.Options;

namespace Flux.Functions.Storage;

/// <summary>
/// Invalid queue messages and prompt files, with the reasons, at
/// <c>flux-rejections/{source}/{id}.json</c>; they are recorded here instead of being retried.
/// </summary>
internal sealed class RejectionStore(StorageClients storage, IOptions<FluxOptions> options, TimeProvider clock)
{
    /// <summary>Messages are kept up to this many characters in the record.</summary>
    public const int MaxRecordedContent = 64 * 1024;

    public static string BlobName(JobSource source, string id) => $"{source.ToString().ToLowerInvariant()}/{JobIds.Require(id)}.json";

    public async Task<string> RecordAsync(JobSource source, string id, string content, IReadOnlyList<string> reasons, CancellationToken cancellationToken)
    {
        var container = await storage.ContainerAsync(options.Value.RejectionsContainer).ConfigureAwait(false);
        var blob = container.GetBlobClient(BlobName(source, id));
        var record = new Rejection(id, source.ToString(), clock.GetUtcNow(), reasons,
            content.Length > MaxRecordedContent ? content[..MaxRecordedContent] : content);
        var upload = new BlobUploadOptions { HttpHeaders = new BlobHttpHeaders { ContentType = ImageStore.JsonContentType } };
        await blob.UploadAsync(BinaryData.FromObjectAsJson(record, ImageStore.JsonOptions), upload, cancellationToken).ConfigureAwait(false);
        return blob.Name;
    }

    public async Task<Rejection?> FindAsync(JobSource source, string id, CancellationToken cancellationToken)
    {
        var container = await storage.ContainerAsync(options.Value.RejectionsContainer).ConfigureAwait(false);
        var blob = container.GetBlobClient(BlobName(source, id));
        if (!await blob.ExistsAsync(cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        var content = await blob.DownloadContentAsync(cancellationToken).ConfigureAwait(false);
        return content.Value.Content.ToObjectFromJson<Rejection>(ImageStore.JsonOptions);
    }
}

/// <summary>A rejected message or file and why.</summary>
internal sealed record Rejection(string Id, string Source, DateTimeOffset ReceivedAt, IReadOnlyList<string> Reasons, string Content);
