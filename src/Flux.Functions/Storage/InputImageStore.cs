using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Flux.Functions.Jobs;
using Microsoft.Extensions.Options;

namespace Flux.Functions.Storage;

/// <summary>
/// Input images (img2img sources, inpainting masks) in the inputs container (Flux:InputsContainer): blobs users put
/// there and name in a request ({"blob": "folder/cat.png"}), and uploads ({"base64"}) the service stores at
/// <c>{jobId}/{role}-{first 128 bits of SHA-256}</c> so durable histories carry the name, never the bytes. Every name
/// is checked against <see cref="PromptFile.NamePattern"/> before a blob client is made from it: no "..", no leading
/// '/', no '\\' or '%', so no name reaches outside the container.
/// </summary>
internal sealed class InputImageStore(StorageClients storage, IOptions<FluxOptions> options)
{
    public const int HashHexLength = 32;

    public static bool IsValidName(string? name) => name is not null && PromptFile.IsValidName(name);

    /// <summary>The name of an upload: the same bytes for the same job and role always get the same name (a retried request rewrites it).</summary>
    public static string UploadName(string jobId, string role, ReadOnlySpan<byte> bytes)
        => $"{JobIds.Require(jobId)}/{role}-{Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes))[..HashHexLength]}";

    public string Container => options.Value.InputsContainer;

    /// <summary>
    /// The blob's bytes, or why there are none to read: it does not exist, or it is larger than
    /// <paramref name="maxBytes"/> (checked from its properties, before anything is downloaded).
    /// </summary>
    public async Task<(byte[]? Bytes, string? Problem)> ReadAsync(string name, int maxBytes, CancellationToken cancellationToken)
    {
        var blob = await BlobAsync(name).ConfigureAwait(false);
        BlobProperties properties;
        try
        {
            properties = (await blob.GetPropertiesAsync(cancellationToken: cancellationToken).ConfigureAwait(false)).Value;
        }
        catch (RequestFailedException e) when (e.Status == StatusCodes.NotFound)
        {
            return (null, $"blob {InputText.Quote(name)} does not exist in the inputs container \"{Container}\"");
        }

        if (properties.ContentLength > maxBytes)
        {
            return (null, $"blob {InputText.Quote(name)} of {properties.ContentLength} bytes exceeds the input image limit of {maxBytes} bytes (Flux:MaxInputImageBytes)");
        }

        try
        {
            // The version whose size was checked: a larger one written since fails the condition rather than being read.
            var download = await blob.DownloadContentAsync(
                new BlobDownloadOptions { Conditions = new BlobRequestConditions { IfMatch = properties.ETag } }, cancellationToken).ConfigureAwait(false);
            return (download.Value.Content.ToArray(), null);
        }
        catch (RequestFailedException e) when (e.Status is StatusCodes.NotFound or StatusCodes.PreconditionFailed)
        {
            return (null, $"blob {InputText.Quote(name)} changed or disappeared while it was read; send the request again");
        }
    }

    /// <summary>Stores an upload that has been decoded and checked; returns its name in the inputs container.</summary>
    public async Task<string> SaveUploadAsync(string jobId, string role, byte[] bytes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        string name = UploadName(jobId, role, bytes);
        var blob = await BlobAsync(name).ConfigureAwait(false);
        await blob.UploadAsync(BinaryData.FromBytes(bytes), overwrite: true, cancellationToken).ConfigureAwait(false);
        return name;
    }

    private async Task<BlobClient> BlobAsync(string name)
    {
        if (!IsValidName(name))
        {
            throw new ArgumentException($"input blob name {InputText.Quote(name)} is not {PromptFile.NameDescription}", nameof(name));
        }

        return (await storage.ContainerAsync(Container).ConfigureAwait(false)).GetBlobClient(name);
    }
}
