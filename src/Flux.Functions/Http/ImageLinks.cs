using Azure.Storage.Blobs.Models;
using Azure.Storage.Sas;
using Flux.Functions.Storage;
using Flux.Inference.Imaging;
using Microsoft.Extensions.Options;

namespace Flux.Functions.Http;

/// <summary>
/// Where a finished image can be fetched. With a managed identity: a short-lived, read-only, HTTPS-only
/// user-delegation SAS for that one blob (no account key exists to sign with). With a connection string
/// (Azurite, local): the authenticated route GET /api/generations/{id}/images/{n}, never a key-signed SAS.
/// </summary>
internal sealed class ImageLinks(StorageClients storage, IOptions<FluxOptions> options, TimeProvider clock) : IDisposable
{
    /// <summary>Start times are set this far back, so a client whose clock runs behind can use a fresh link.</summary>
    public static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(5);

    /// <summary>A delegation key is requested for this many link lifetimes and reused until a link would outlive it.</summary>
    private const int KeyLifetimes = 4;

    private readonly SemaphoreSlim _keyLock = new(1, 1);
    private UserDelegationKey? _key;

    public bool UsesSas => storage.UsesIdentity;

    public async Task<Uri> ForAsync(GenerationLinks links, string jobId, int index, ImageFormat format, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(links);
        if (!UsesSas)
        {
            return links.ImageUri(index);
        }

        var now = clock.GetUtcNow();
        var expires = now + options.Value.ImageLinkLifetime;
        var key = await KeyAsync(now, expires, cancellationToken).ConfigureAwait(false);
        var blob = storage.Blobs.GetBlobContainerClient(options.Value.ImagesContainer).GetBlobClient(ImageStore.ImageName(jobId, index, format));
        var sas = new BlobSasBuilder(BlobSasPermissions.Read, expires)
        {
            BlobContainerName = blob.BlobContainerName,
            BlobName = blob.Name,
            Resource = "b",
            StartsOn = now - ClockSkew,
            Protocol = SasProtocol.Https,
        };
        return new Azure.Storage.Blobs.BlobUriBuilder(blob.Uri) { Sas = sas.ToSasQueryParameters(key, storage.Blobs.AccountName) }.ToUri();
    }

    public void Dispose() => _keyLock.Dispose();

    private async Task<UserDelegationKey> KeyAsync(DateTimeOffset now, DateTimeOffset linkExpires, CancellationToken cancellationToken)
    {
        await _keyLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_key is null || _key.SignedExpiresOn < linkExpires)
            {
                var response = await storage.Blobs.GetUserDelegationKeyAsync(
                    now - ClockSkew, now + (KeyLifetimes * options.Value.ImageLinkLifetime), cancellationToken).ConfigureAwait(false);
                _key = response.Value;
            }

            return _key;
        }
        finally
        {
            _keyLock.Release();
        }
    }
}
