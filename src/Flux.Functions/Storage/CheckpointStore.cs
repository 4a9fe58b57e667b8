using Azure;
using Azure.Storage.Blobs;
using Flux.Functions.Jobs;
using Azure.Storage.Blobs.Models;
using Microsoft.Extensions.Options;

namespace Flux.Functions.Storage;

/// <summary>
/// The latest sampler state of each image in progress: <c>flux-checkpoints/{jobId}/{index}.ckpt</c>,
/// overwritten every K steps and deleted when the image is saved.
/// </summary>
internal sealed class CheckpointStore(StorageClients storage, IOptions<FluxOptions> options)
{
    public static string BlobName(string jobId, int index) => $"{JobIds.Require(jobId)}/{ArgumentGuard.NotNegative(index):D5}{CheckpointExtension}";

    /// <summary>The latest checkpoint, or null when the image has not started (or has finished).</summary>
    public async Task<byte[]?> ReadAsync(string jobId, int index, CancellationToken cancellationToken)
    {
        var blob = await BlobAsync(jobId, index).ConfigureAwait(false);
        try
        {
            var content = await blob.DownloadContentAsync(cancellationToken).ConfigureAwait(false);
            return content.Value.Content.ToArray();
        }
        catch (RequestFailedException e) when (e.Status == StatusCodes.NotFound)
        {
            return null;
        }
    }

    /// <summary>Replaces the checkpoint in one upload, so a reader sees the old state or the new one, never half.</summary>
    public async Task WriteAsync(string jobId, int index, ReadOnlyMemory<byte> checkpoint, CancellationToken cancellationToken)
    {
        var blob = await BlobAsync(jobId, index).ConfigureAwait(false);
        await blob.UploadAsync(BinaryData.FromBytes(checkpoint), overwrite: true, cancellationToken).ConfigureAwait(false);
    }

    public async Task DeleteAsync(string jobId, int index, CancellationToken cancellationToken)
    {
        var blob = await BlobAsync(jobId, index).ConfigureAwait(false);
        await blob.DeleteIfExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Marks the job cancelled (<c>{jobId}/cancelled</c>): Denoise activities of the job, on any worker,
    /// see it between steps and stop. Written before the orchestration is terminated.
    /// </summary>
    public async Task MarkCancelledAsync(string jobId, CancellationToken cancellationToken)
    {
        var blob = await ContainerBlobAsync(CancelledMarker(jobId)).ConfigureAwait(false);
        await blob.UploadAsync(BinaryData.FromString(jobId), overwrite: true, cancellationToken).ConfigureAwait(false);
    }

    public async Task<bool> IsCancelledAsync(string jobId, CancellationToken cancellationToken)
    {
        var blob = await ContainerBlobAsync(CancelledMarker(jobId)).ConfigureAwait(false);
        return await blob.ExistsAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Deletes every checkpoint of the job (the cancellation marker stays); returns how many.</summary>
    public async Task<int> DeleteJobAsync(string jobId, CancellationToken cancellationToken)
    {
        var container = await storage.ContainerAsync(options.Value.CheckpointsContainer).ConfigureAwait(false);
        int deleted = 0;
        await foreach (var item in container.GetBlobsAsync(BlobTraits.None, BlobStates.None, $"{jobId}/", cancellationToken).ConfigureAwait(false))
        {
            if (item.Name.EndsWith(CheckpointExtension, StringComparison.Ordinal)
                && (await container.GetBlobClient(item.Name).DeleteIfExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false)).Value)
            {
                deleted++;
            }
        }

        return deleted;
    }

    private const string CheckpointExtension = ".ckpt";

    private static string CancelledMarker(string jobId) => $"{jobId}/cancelled";

    private Task<BlobClient> BlobAsync(string jobId, int index) => ContainerBlobAsync(BlobName(jobId, index));

    private async Task<BlobClient> ContainerBlobAsync(string name)
        => (await storage.ContainerAsync(options.Value.CheckpointsContainer).ConfigureAwait(false)).GetBlobClient(name);
}
