using Azure.Storage.Blobs.Models;
using Flux.Functions.Events;
using Flux.Functions.Http;
using Flux.Functions.Jobs;
using Flux.Functions.Queues;
using Flux.Functions.Storage;
using Flux.Functions.Tests.Hosting;
using Microsoft.AspNetCore.Mvc;
using Microsoft.DurableTask.Client;

namespace Flux.Functions.Tests.Hostile;

/// <summary>One service for the whole table (started on first use), so 80 rows cost 80 calls, not 80 hosts.</summary>
public sealed class HostileService : IAsyncLifetime
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private FluxTestService? _service;

    internal async Task<FluxTestService> GetAsync(AzuriteFixture azurite)
    {
        await _gate.WaitAsync();
        try
        {
            return _service ??= await FluxTestService.StartAsync(
                azurite, new FakeRenderer(), new Dictionary<string, string?>
                {
                    ["Flux:MaxImagesPerJob"] = $"{BadInputs.MaxImages}",
                    ["Flux:MaxRequestBytes"] = $"{BadInputs.MaxBytes}",
                });
        }
        finally
        {
            _gate.Release();
        }
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_service is not null)
        {
            await _service.DisposeAsync();
        }

        _gate.Dispose();
    }
}

/// <summary>
/// Every row of <see cref="BadInputs"/> is refused naming its field (a problem-details 400 over HTTP, a
/// recorded rejection for queue messages and prompt files), starts no orchestration, and leaves storage
/// exactly as it was apart from its own rejection record.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class HostileInputTests(AzuriteFixture azurite, HostileService shared) : IClassFixture<HostileService>
{
    [Theory]
    [MemberData(nameof(BadInputs.Names), MemberType = typeof(BadInputs))]
    public async Task BadInput_IsRefusedNamingTheField_StartsNoWork_AndWritesNothingElse(string name)
    {
        var row = BadInputs.Named(name);
        var service = await shared.GetAsync(azurite);
        var blob = row.Entry == Entry.PromptsBlob ? await UploadPromptsAsync(service, row.Payload) : null;
        var before = await StorageSnapshotAsync(service);

        string? rejectionBlob = row.Entry switch
        {
            Entry.Queue => await SendToQueueAsync(service, row),
            Entry.PromptsBlob => await DropPromptsFileAsync(service, row, blob!),
            _ => await CallHttpAsync(service, row),
        };

        Assert.Equal(0, await CountInstancesAsync(service.Client));
        var after = await StorageSnapshotAsync(service);
        var written = after.Except(before).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(rejectionBlob is null ? [] : [rejectionBlob], written);
        Assert.Empty(before.Except(after));
    }

    [Fact]
    public void Table_HasAtLeastFortyRows_CoveringEveryEntry()
    {
        Assert.True(BadInputs.All.Count >= 40, $"{BadInputs.All.Count} rows");
        Assert.Equal(BadInputs.All.Count, BadInputs.All.Select(r => r.Name).Distinct().Count());
        Assert.All(Enum.GetValues<Entry>(), e => Assert.Contains(BadInputs.All, r => r.Entry == e));
    }

    /// <summary>Calls the HTTP function; asserts the problem details name the field. Returns no rejection blob.</summary>
    private static async Task<string?> CallHttpAsync(FluxTestService service, BadInput row)
    {
        var api = service.Create<GenerationsApi>();
        string path = row.Entry switch
        {
            Entry.PostBody => "/api/generations",
            Entry.ImageRoute => $"/api/generations/{Uri.EscapeDataString(row.Payload)}/images/{row.ImageIndex}",
            _ => $"/api/generations/{Uri.EscapeDataString(row.Payload)}",
        };
        var request = HttpCalls.Request(row.Entry switch { Entry.PostBody => "POST", Entry.DeleteRoute => "DELETE", _ => "GET" }, path, row.Entry == Entry.PostBody ? row.Payload : null);
        if (row.Entry == Entry.PostBody)
        {
            request.ContentType = row.ContentType;
        }

        IActionResult result = row.Entry switch
        {
            Entry.PostBody => await api.StartAsync(request, service.Client, CancellationToken.None),
            Entry.GetRoute => await api.GetAsync(request, row.Payload, service.Client, CancellationToken.None),
            Entry.DeleteRoute => await api.CancelAsync(request, row.Payload, service.Client, CancellationToken.None),
            _ => await api.GetImageAsync(request, row.Payload, row.ImageIndex, service.Client, CancellationToken.None),
        };
        var response = await HttpCalls.ExecuteAsync(request, result);

        Assert.Equal((row.Status, "application/problem+json"), (response.StatusCode, response.ContentType?.Split(';')[0]));
        var problem = HttpCalls.Json(response);
        Assert.Equal(row.Status, problem.GetProperty("status").GetInt32());
        var errors = problem.GetProperty("errors");
        Assert.True(errors.TryGetProperty(row.Field, out var messages), $"errors name {string.Join(", ", errors.EnumerateObject().Select(e => e.Name))}, not {row.Field}");
        Assert.All(messages.EnumerateArray(), m => AssertReadable(m.GetString()));
        return null;
    }

    private static async Task<string> SendToQueueAsync(FluxTestService service, BadInput row)
    {
        await service.Create<JobQueueTrigger>().HandleAsync(row.Payload, dequeueCount: 1, service.Client, CancellationToken.None);
        return await AssertRejectedAsync(service, JobSource.Queue, JobIds.FromContent("queue", row.Payload), row);
    }

    private static async Task<string> DropPromptsFileAsync(FluxTestService service, BadInput row, Azure.Storage.Blobs.BlobClient blob)
    {
        // The binding hands the trigger the blob's name: the hostile name arrives as it would from the host.
        await service.Create<PromptsBlobTrigger>().RunAsync(blob, row.BlobName, service.Client, CancellationToken.None);
        var etag = (await blob.GetPropertiesAsync()).Value.ETag;
        return await AssertRejectedAsync(service, JobSource.Blob, JobIds.FromContent("prompts", $"{row.BlobName}\n{etag}"), row);
    }

    /// <summary>The rejection is recorded with a reason naming the field; returns its blob as "container/name".</summary>
    private static async Task<string> AssertRejectedAsync(FluxTestService service, JobSource source, string id, BadInput row)
    {
        var rejection = await service.Get<RejectionStore>().FindAsync(source, id, CancellationToken.None);
        Assert.NotNull(rejection);
        Assert.True(
            rejection.Reasons.Any(r => r.StartsWith(row.Field + ": ", StringComparison.Ordinal)),
            $"reasons do not name {row.Field}: {string.Join(" | ", rejection.Reasons)}");
        Assert.All(rejection.Reasons, AssertReadable);
        return $"{service.Get<Microsoft.Extensions.Options.IOptions<FluxOptions>>().Value.RejectionsContainer}/{RejectionStore.BlobName(source, id)}";
    }

    /// <summary>Messages quote what was sent: no raw control characters, nothing near the size of a 100 KB payload.</summary>
    private static void AssertReadable(string? message)
    {
        Assert.False(string.IsNullOrWhiteSpace(message));
        Assert.DoesNotContain(message, c => char.IsControl(c));
        Assert.True(message.Length < 1000, $"message of {message.Length} characters echoes too much");
    }

    private static async Task<Azure.Storage.Blobs.BlobClient> UploadPromptsAsync(FluxTestService service, string content)
    {
        var prompts = await service.Get<StorageClients>().ContainerAsync(FluxOptions.PromptsContainer);
        var blob = prompts.GetBlobClient($"hostile-{Guid.NewGuid():N}.txt");
        await blob.UploadAsync(BinaryData.FromString(content));
        return blob;
    }

    private static async Task<int> CountInstancesAsync(DurableTaskClient client)
    {
        int count = 0;
        await foreach (var _ in client.GetAllInstancesAsync(new OrchestrationQuery()))
        {
            count++;
        }

        return count;
    }

    /// <summary>Every blob of every container in the account, as "container/name".</summary>
    private static async Task<HashSet<string>> StorageSnapshotAsync(FluxTestService service)
    {
        var blobs = service.Get<StorageClients>().Blobs;
        var names = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var container in blobs.GetBlobContainersAsync())
        {
            await foreach (var blob in blobs.GetBlobContainerClient(container.Name).GetBlobsAsync(BlobTraits.None, BlobStates.None, null, CancellationToken.None))
            {
                names.Add($"{container.Name}/{blob.Name}");
            }
        }

        return names;
    }
}
