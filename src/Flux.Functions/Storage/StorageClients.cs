using System.Collections.Concurrent;
using Azure.Identity;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Queues;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Flux.Functions.Storage;

/// <summary>
/// The storage account of the service. A service URI (Flux:BlobServiceUri, or
/// "{connection}__blobServiceUri" as the Functions host spells identity connections) is reached with
/// DefaultAzureCredential; otherwise the connection string under the connection name is used.
/// Containers and queues are created once per process on first use.
/// </summary>
internal sealed class StorageClients
{
    private readonly ConcurrentDictionary<string, Lazy<Task<BlobContainerClient>>> _containers = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Lazy<Task<QueueClient>>> _queues = new(StringComparer.Ordinal);

    /// <param name="usesIdentity">True when the clients sign in with a token credential (no account key in reach).</param>
    public StorageClients(BlobServiceClient blobs, QueueServiceClient queues, bool usesIdentity = false)
    {
        Blobs = blobs;
        Queues = queues;
        UsesIdentity = usesIdentity;
    }

    public BlobServiceClient Blobs { get; }

    /// <summary>Reached with a managed identity: image links are user-delegation SAS (see <see cref="Http.ImageLinks"/>).</summary>
    public bool UsesIdentity { get; }

    public QueueServiceClient Queues { get; }

    /// <summary>Builds the clients from options and configuration (see the class summary).</summary>
    public static StorageClients Create(FluxOptions options, IConfiguration configuration)
    {
        var section = configuration.GetSection(options.StorageConnection);
        Uri? blobUri = options.BlobServiceUri ?? UriOrNull(section["blobServiceUri"]);
        Uri? queueUri = options.QueueServiceUri ?? UriOrNull(section["queueServiceUri"]);
        var blobOptions = WithRetry(new BlobClientOptions(), options);
        var queueOptions = WithRetry(new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 }, options);
        if (blobUri is not null && queueUri is not null)
        {
            var credential = Credential(section["clientId"]);
            return new StorageClients(new BlobServiceClient(blobUri, credential, blobOptions), new QueueServiceClient(queueUri, credential, queueOptions), usesIdentity: true);
        }

        string? connectionString = section.Value;
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new InvalidOperationException(
                $"No storage configured: set the connection string \"{options.StorageConnection}\", or " +
                $"\"{options.StorageConnection}__blobServiceUri\" and \"__queueServiceUri\" for a managed identity.");
        }

        return new StorageClients(new BlobServiceClient(connectionString, blobOptions), new QueueServiceClient(connectionString, queueOptions));
    }

    /// <summary>
    /// Exponential backoff on transient storage failures (refused connections, 408/429/5xx, timeouts),
    /// so a storage outage of a few seconds costs waiting, not a failed activity.
    /// </summary>
    public static T WithRetry<T>(T clientOptions, FluxOptions options)
        where T : Azure.Core.ClientOptions
    {
        ArgumentNullException.ThrowIfNull(clientOptions);
        clientOptions.Retry.Mode = Azure.Core.RetryMode.Exponential;
        clientOptions.Retry.MaxRetries = options.StorageMaxRetries;
        clientOptions.Retry.Delay = options.StorageRetryDelay;
        clientOptions.Retry.MaxDelay = options.StorageMaxRetryDelay;
        clientOptions.Retry.NetworkTimeout = options.StorageNetworkTimeout;
        return clientOptions;
    }

    /// <summary>The container, created if missing (once per process; a failure is retried on the next call).</summary>
    public Task<BlobContainerClient> ContainerAsync(string name)
        => EnsureOnceAsync(_containers, name, async n =>
        {
            var container = Blobs.GetBlobContainerClient(n);
            await container.CreateIfNotExistsAsync(PublicAccessType.None).ConfigureAwait(false); // private: images are served through the authenticated API
            return container;
        });

    /// <summary>The queue, created if missing (once per process; a failure is retried on the next call).</summary>
    public Task<QueueClient> QueueAsync(string name)
        => EnsureOnceAsync(_queues, name, async n =>
        {
            var queue = Queues.GetQueueClient(n);
            await queue.CreateIfNotExistsAsync().ConfigureAwait(false);
            return queue;
        });

    private static async Task<T> EnsureOnceAsync<T>(ConcurrentDictionary<string, Lazy<Task<T>>> cache, string name, Func<string, Task<T>> create)
    {
        var entry = cache.GetOrAdd(name, n => new Lazy<Task<T>>(() => create(n)));
        try
        {
            return await entry.Value.ConfigureAwait(false);
        }
        catch
        {
            cache.TryRemove(KeyValuePair.Create(name, entry));
            throw;
        }
    }

    /// <summary>
    /// DefaultAzureCredential; with a user-assigned identity its client id comes from
    /// "{connection}__clientId", as the Functions host reads it for the same connection.
    /// </summary>
    public static DefaultAzureCredential Credential(string? managedIdentityClientId)
        => new(new DefaultAzureCredentialOptions { ManagedIdentityClientId = string.IsNullOrWhiteSpace(managedIdentityClientId) ? null : managedIdentityClientId });

    /// <summary>The managed identity client id configured for the storage connection, if any.</summary>
    public static string? ClientId(FluxOptions options, IConfiguration configuration)
        => configuration.GetSection(options.StorageConnection)["clientId"];

    private static Uri? UriOrNull(string? value) => string.IsNullOrWhiteSpace(value) ? null : new Uri(value);
}
