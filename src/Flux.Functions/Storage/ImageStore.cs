using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Flux.Functions.Jobs;
using Flux.Functions.Rendering;
using Flux.Inference;
using Flux.Inference.Imaging;
using Microsoft.Extensions.Options;

namespace Flux.Functions.Storage;

/// <summary>
/// Finished images and manifests: <c>flux-images/{jobId}/{index}.png</c> (<c>.jpg</c>, <c>.webp</c> in those formats)
/// with the generation parameters as blob metadata, and <c>flux-images/{jobId}/manifest.json</c>.
/// Writes overwrite with identical content, so a rerun activity leaves the same blobs.
/// </summary>
internal sealed class ImageStore(StorageClients storage, IOptions<FluxOptions> options)
{
    public const string PngContentType = "image/png";
    public const string JsonContentType = "application/json";

    /// <summary>The image's blob name, with its format's extension; the id is checked again here, so no name can leave the job's folder.</summary>
    public static string ImageName(string jobId, int index, ImageFormat format = ImageFormat.Png)
        => $"{JobIds.Require(jobId)}/{ArgumentGuard.NotNegative(index):D5}{format.Extension()}";

    public static string ManifestName(string jobId) => $"{JobIds.Require(jobId)}/manifest.json";

    /// <summary>Uploads the image file (in the spec's format) with its parameters as metadata; returns its SHA-256 (hex).</summary>
    public async Task<StoredImage> SaveImageAsync(string jobId, GenerationSettings spec, string modelId, byte[] file, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var blob = await BlobAsync(ImageName(jobId, spec.ImageIndex, spec.OutputFormat)).ConfigureAwait(false);
        var upload = new BlobUploadOptions
        {
            HttpHeaders = new BlobHttpHeaders { ContentType = spec.OutputFormat.ContentType() },
            Metadata = Metadata(jobId, spec, modelId),
        };
        await blob.UploadAsync(BinaryData.FromBytes(file), upload, cancellationToken).ConfigureAwait(false);
        return new StoredImage(blob.Name, Convert.ToHexStringLower(SHA256.HashData(file)), file.Length);
    }

    /// <summary>The stored image, or null when it does not exist (yet).</summary>
    public async Task<StoredImage?> FindImageAsync(string jobId, int index, ImageFormat format, CancellationToken cancellationToken)
    {
        var blob = await BlobAsync(ImageName(jobId, index, format)).ConfigureAwait(false);
        try
        {
            var content = await blob.DownloadContentAsync(cancellationToken).ConfigureAwait(false);
            byte[] png = content.Value.Content.ToArray();
            return new StoredImage(blob.Name, Convert.ToHexStringLower(SHA256.HashData(png)), png.Length);
        }
        catch (RequestFailedException e) when (e.Status == StatusCodes.NotFound)
        {
            return null;
        }
    }

    /// <summary>Opens the image for streaming, or returns null when it does not exist.</summary>
    public async Task<Stream?> OpenImageAsync(string jobId, int index, ImageFormat format, CancellationToken cancellationToken)
    {
        var blob = await BlobAsync(ImageName(jobId, index, format)).ConfigureAwait(false);
        try
        {
            var download = await blob.DownloadStreamingAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            return download.Value.Content;
        }
        catch (RequestFailedException e) when (e.Status == StatusCodes.NotFound)
        {
            return null;
        }
    }

    public async Task<string> WriteManifestAsync<T>(string jobId, T manifest, CancellationToken cancellationToken)
    {
        var blob = await BlobAsync(ManifestName(jobId)).ConfigureAwait(false);
        var upload = new BlobUploadOptions { HttpHeaders = new BlobHttpHeaders { ContentType = JsonContentType } };
        await blob.UploadAsync(BinaryData.FromObjectAsJson(manifest, JsonOptions), upload, cancellationToken).ConfigureAwait(false);
        return blob.Name;
    }

    public async Task<T?> ReadManifestAsync<T>(string jobId, CancellationToken cancellationToken)
        where T : class
    {
        var blob = await BlobAsync(ManifestName(jobId)).ConfigureAwait(false);
        try
        {
            var content = await blob.DownloadContentAsync(cancellationToken).ConfigureAwait(false);
            return content.Value.Content.ToObjectFromJson<T>(JsonOptions);
        }
        catch (RequestFailedException e) when (e.Status == StatusCodes.NotFound)
        {
            return null;
        }
    }

    public static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    /// <summary>Blob metadata must be ASCII header values: the prompt is percent-encoded.</summary>
    public static Dictionary<string, string> Metadata(string jobId, GenerationSettings spec, string modelId) => new(StringComparer.Ordinal)
    {
        ["job"] = jobId,
        ["index"] = spec.ImageIndex.ToString(CultureInfo.InvariantCulture),
        ["prompt"] = Uri.EscapeDataString(spec.Prompt),
        ["width"] = spec.Width.ToString(CultureInfo.InvariantCulture),
        ["height"] = spec.Height.ToString(CultureInfo.InvariantCulture),
        ["steps"] = spec.Steps.ToString(CultureInfo.InvariantCulture),
        ["guidance"] = spec.Guidance.ToString(CultureInfo.InvariantCulture),
        ["seed"] = spec.Seed.ToString(CultureInfo.InvariantCulture),
        ["sampler"] = spec.Sampler,
        ["model"] = Uri.EscapeDataString(modelId),
        ["format"] = spec.OutputFormat.Name(),
    };

    private async Task<BlobClient> BlobAsync(string name)
        => (await storage.ContainerAsync(options.Value.ImagesContainer).ConfigureAwait(false)).GetBlobClient(name);
}

/// <summary>Where an image was stored and its content hash.</summary>
internal sealed record StoredImage(string BlobName, string Sha256, long Length);
