using System.Net;
using System.Net.Sockets;
using Flux.Functions;
using Flux.Functions.Storage;
using Microsoft.Extensions.Configuration;

namespace Flux.Reliability.Tests;

public sealed class StorageRetryTests
{
    [Fact]
    public async Task StorageClients_RetryARefusedRequest_AsManyTimesAsConfigured()
    {
        // A loopback "storage account" that answers every request 503 Service Unavailable.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        int requests = 0;
        using var stop = new CancellationTokenSource();
        var answering = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                using var client = await listener.AcceptTcpClientAsync(stop.Token);
                var stream = client.GetStream();
                await ReadHeadersAsync(stream, stop.Token);
                Interlocked.Increment(ref requests);
                await stream.WriteAsync("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"u8.ToArray(), stop.Token);
            }
        });
        var options = new FluxOptions { StorageMaxRetries = 2, StorageRetryDelay = TimeSpan.FromMilliseconds(20), StorageMaxRetryDelay = TimeSpan.FromMilliseconds(50) };
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            [FluxOptions.TriggerConnection] = $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=a2V5;BlobEndpoint=http://127.0.0.1:{port}/devstoreaccount1;QueueEndpoint=http://127.0.0.1:{port}/devstoreaccount1;",
        }).Build();
        var clients = StorageClients.Create(options, configuration);

        var failure = await Assert.ThrowsAsync<Azure.RequestFailedException>(() => clients.Blobs.GetBlobContainerClient("flux-images").ExistsAsync());

        Assert.Equal(503, failure.Status);
        Assert.Equal(options.StorageMaxRetries + 1, Volatile.Read(ref requests)); // 2 is not the SDK's default (3): the option reached the client
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => answering);
    }

    /// <summary>Reads one request's head (up to the blank line); these requests have no body.</summary>
    private static async Task ReadHeadersAsync(NetworkStream stream, CancellationToken cancellationToken)
    {
        var buffer = new byte[1];
        int matched = 0;
        while (matched < 4 && await stream.ReadAsync(buffer, cancellationToken) == 1)
        {
            matched = buffer[0] == "\r\n\r\n"u8[matched] ? matched + 1 : (buffer[0] == (byte)'\r' ? 1 : 0);
        }
    }
}
