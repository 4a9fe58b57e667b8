using Azure;
using Azure.Storage.Blobs;
using Flux.Functions.Jobs;
using Microsoft.Extensions.Options;

namespace Flux.Functions.Storage;

/// <summary>
/// The latest sampler state of each image in progress: <c>flux-checkpoints/{jobId}/{index}.ckpt</c>,
/// overwritten every K steps and deleted when the image is saved.
/// </summary>
public sealed class CheckpointStore(StorageClients storage, IOptions<FluxOptions> options)
{
    public static string BlobName(string jobId, int index) => $"{JobIds.Require(jobId)}/{ArgumentGuard.NotNegative(index):D5}.ckpt";

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

    private async Task<BlobClient> BlobAsync(string jobId, int index)
        => (await storage.ContainerAsync(options.Value.CheckpointsContainer).ConfigureAwait(false)).GetBlobClient(BlobName(jobId, index));
}
