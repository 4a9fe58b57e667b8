using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using Flux.Functions;
using Flux.Functions.Events;
using Flux.Functions.Jobs;
using Flux.Functions.Orchestrations;
using Flux.Functions.Queues;
using Flux.Functions.Storage;
using Flux.Functions.Tests.Hosting;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Options;
using Xunit.Abstractions;

namespace Flux.Reliability.Tests;

[Collection(ReliabilityCollection.Name)]
public sealed class QueueLoadTests(AzuriteFixture azurite, ITestOutputHelper output)
{
    private const int Jobs = 50;
    private const int PromptsPerJob = 10;

    private static readonly JsonSerializerOptions MessageJson = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };

    [Fact]
    public async Task QueuedJobs_50With500Prompts_RecordEveryImageExactlyOnce()
    {
        var renderer = new FakeRenderer();
        await using var service = await FluxTestService.StartAsync(azurite, renderer, new Dictionary<string, string?>
        {
            ["Flux:MaxParallelImages"] = "4",
            ["Flux:DenoiseChunkSteps"] = "8",
        });
        var storage = service.Get<StorageClients>();
        var queue = await storage.QueueAsync(FluxOptions.JobsQueue);
        var poison = await storage.QueueAsync($"{FluxOptions.JobsQueue}-poison");
        await queue.ClearMessagesAsync();
        await poison.ClearMessagesAsync();
        string run = Guid.NewGuid().ToString("N")[..8];
        string[] messages = [.. Enumerable.Range(0, Jobs).Select(j => JsonSerializer.Serialize(new JobRequest(
            [.. Enumerable.Range(0, PromptsPerJob).Select(p => new JobItemRequest(Prompt: $"load {run} job {j} prompt {p}"))],
            new JobItemRequest(Width: 16, Height: 16, Steps: 2, Seed: j * 100L)), MessageJson))];
        string[] ids = [.. messages.Select(m => JobIds.FromContent("queue", m))];

        var clock = Stopwatch.StartNew();
        var enqueuedAt = new TimeSpan[Jobs];
        for (int j = 0; j < Jobs; j++)
        {
            await queue.SendMessageAsync(messages[j]);
            enqueuedAt[j] = clock.Elapsed;
        }

        var trigger = service.Create<JobQueueTrigger>();
        var host = QueueHostDriver.FromHostJson(queue, poison);
        var doneAt = new ConcurrentDictionary<int, TimeSpan>();
        var draining = host.DrainAsync((message, count) => trigger.HandleAsync(message, count, service.Client, CancellationToken.None), TimeSpan.FromMinutes(2));
        var watching = Task.WhenAll(Enumerable.Range(0, Jobs).Select(async j =>
        {
            var job = await WaitForCompletionAsync(service.Client, ids[j]);
            doneAt[j] = clock.Elapsed;
            Assert.Equal(OrchestrationRuntimeStatus.Completed, job.RuntimeStatus);
        }));
        await draining;
        await watching;
        double wall = clock.Elapsed.TotalSeconds;

        Assert.Equal((Jobs, 0), (host.Completed, host.FailedDeliveries));
        var images = await JobAssertions.ContainerAsync(service, o => o.ImagesContainer);
        int manifests = 0;
        for (int j = 0; j < Jobs; j++)
        {
            var manifest = await service.Get<ImageStore>().ReadManifestAsync<JobManifest>(ids[j], CancellationToken.None);
            Assert.NotNull(manifest);
            Assert.Equal(Enumerable.Range(0, PromptsPerJob), manifest.Images.Select(i => i.Index));
            Assert.Empty(manifest.Failures);
            var blobs = await JobAssertions.ListAsync(images, $"{ids[j]}/");
            Assert.Equal([.. Enumerable.Range(0, PromptsPerJob).Select(i => ImageStore.ImageName(ids[j], i)), ImageStore.ManifestName(ids[j])], blobs.Order(StringComparer.Ordinal));
            manifests++;
        }

        // Every image rendered once (no retries in a fault-free run) and announced once.
        Assert.Equal(Jobs * PromptsPerJob, renderer.StepsRun.Count);
        Assert.All(renderer.StepsRun.Values, steps => Assert.Equal(2, steps));
        var events = await ReadEventIdsAsync(service);
        Assert.Equal(Jobs * PromptsPerJob, events.Count(e => e.Type == FluxEvents.ImageCompleted));
        Assert.Equal(events.Count, events.Select(e => e.Id).Distinct().Count());
        Assert.Equal(Jobs, manifests);

        var latencies = Enumerable.Range(0, Jobs).Select(j => (doneAt[j] - enqueuedAt[j]).TotalMilliseconds).Order().ToArray();
        output.WriteLine(
            $"{Jobs} jobs, {Jobs * PromptsPerJob} images in {wall:F1} s: {Jobs * PromptsPerJob / wall:F1} images/s; " +
            $"enqueue to manifest p50 {Percentile(latencies, 0.50):F0} ms, p99 {Percentile(latencies, 0.99):F0} ms, max {latencies[^1]:F0} ms");
    }

    /// <summary>Nearest-rank percentile of sorted values.</summary>
    private static double Percentile(double[] sorted, double p) => sorted[Math.Max(0, (int)Math.Ceiling(p * sorted.Length) - 1)];

    /// <summary>Polls until the instance exists and has finished (the queue trigger creates it later).</summary>
    private static async Task<OrchestrationMetadata> WaitForCompletionAsync(DurableTaskClient client, string id)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        while (true)
        {
            var instance = await client.GetInstanceAsync(id, getInputsAndOutputs: false, timeout.Token);
            if (instance is { IsCompleted: true })
            {
                return instance;
            }

            await Task.Delay(25, timeout.Token);
        }
    }

    private static async Task<List<(string Id, string Type)>> ReadEventIdsAsync(FluxTestService service)
    {
        var events = await service.Get<StorageClients>().QueueAsync(service.Get<IOptions<FluxOptions>>().Value.EventsQueue);
        var found = new List<(string, string)>();
        while (true)
        {
            var batch = (await events.ReceiveMessagesAsync(32, TimeSpan.FromMinutes(5))).Value;
            if (batch.Length == 0)
            {
                return found;
            }

            foreach (var message in batch)
            {
                using var json = JsonDocument.Parse(message.Body);
                found.Add((json.RootElement.GetProperty("id").GetString()!, json.RootElement.GetProperty("type").GetString()!));
            }
        }
    }
}
