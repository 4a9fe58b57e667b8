using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Microsoft.Extensions.Options;

namespace Flux.Functions.Storage;

/// <summary>
/// Text-encoder outputs cached by SHA-256 of model id and trimmed prompt
/// (<c>flux-conditioning/{hash}.bin</c>), so a prompt repeated in a batch is encoded once.
/// </summary>
internal sealed class ConditioningStore(StorageClients storage, IOptions<FluxOptions> options)
{
    // One encoder run per key at a time in this process; across processes the write is first-wins.
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _keyLocks = new(StringComparer.Ordinal);

    public static string BlobName(string modelId, string prompt)
        => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{modelId}\n{prompt.Trim()}"))) + ".bin";

    /// <summary>
    /// What the encoders see of <paramref name="spec"/>, as one cache key: the prompt, then prompt2 and the negative prompt
    /// (only with true CFG) when given. Plain prompts keep the key they always had, so the existing cache stays valid.
    /// </summary>
    public static string Key(Flux.Inference.GenerationSettings spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var key = new StringBuilder(spec.Prompt.Trim());
        if (spec.Prompt2 is { } prompt2)
        {
            key.Append("\n\0prompt2\n").Append(prompt2.Trim());
        }

        if (spec.UsesTrueCfg)
        {
            key.Append("\n\0negative\n").Append(spec.NegativePrompt!.Trim());
        }

        return key.ToString();
    }

    /// <summary>
    /// Returns the blob name of the conditioning, running <paramref name="encode"/> only when no
    /// blob holds it yet; <c>Encoded</c> says whether this call ran the encoder.
    /// </summary>
    public async Task<(string BlobName, bool Encoded)> GetOrAddAsync(
        string modelId, string prompt, Func<CancellationToken, Task<byte[]>> encode, CancellationToken cancellationToken)
    {
        string name = BlobName(modelId, prompt);
        var container = await storage.ContainerAsync(options.Value.ConditioningContainer).ConfigureAwait(false);
        var blob = container.GetBlobClient(name);
        var gate = _keyLocks.GetOrAdd(name, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (await blob.ExistsAsync(cancellationToken).ConfigureAwait(false))
            {
                return (name, false);
            }

            byte[] conditioning = await encode(cancellationToken).ConfigureAwait(false);
            try
            {
                var upload = new BlobUploadOptions { Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All } };
                await blob.UploadAsync(BinaryData.FromBytes(conditioning), upload, cancellationToken).ConfigureAwait(false);
            }
            catch (RequestFailedException e) when (e.Status is StatusCodes.Conflict or StatusCodes.PreconditionFailed)
            {
                // Another worker stored the same encoding first; the content is identical.
            }

            return (name, true);
        }
        finally
        {
            gate.Release();
        }
    }

    public async Task<byte[]> ReadAsync(string blobName, CancellationToken cancellationToken)
    {
        var container = await storage.ContainerAsync(options.Value.ConditioningContainer).ConfigureAwait(false);
        var content = await container.GetBlobClient(blobName).DownloadContentAsync(cancellationToken).ConfigureAwait(false);
        return content.Value.Content.ToArray();
    }
}
