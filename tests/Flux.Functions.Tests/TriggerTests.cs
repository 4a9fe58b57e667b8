using Azure.Messaging;
using Flux.Functions.Events;
using Flux.Functions.Jobs;
using Flux.Functions.Orchestrations;
using Flux.Functions.Queues;
using Flux.Functions.Storage;
using Flux.Functions.Tests.Hosting;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Options;

namespace Flux.Functions.Tests;

[Collection(AzuriteCollection.Name)]
public sealed class TriggerTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task QueueMessage_DeliveredTwice_StartsOneJob()
    {
        var renderer = new FakeRenderer();
        await using var service = await FluxTestService.StartAsync(azurite, renderer);
        var trigger = service.Create<JobQueueTrigger>();
        string message = $$"""{"items": [{"prompt": "a teal hexagon {{Guid.NewGuid():N}}", "steps": 4}]}""";
        string jobId = JobIds.FromContent("queue", message);

        await trigger.HandleAsync(message, dequeueCount: 1, service.Client, CancellationToken.None);
        var first = await service.WaitAsync(jobId);
        await trigger.HandleAsync(message, dequeueCount: 1, service.Client, CancellationToken.None); // redelivery after completion
        var after = await service.Client.GetInstanceAsync(jobId, getInputsAndOutputs: true);

        Assert.Equal(OrchestrationRuntimeStatus.Completed, first.RuntimeStatus);
        Assert.Equal((OrchestrationRuntimeStatus.Completed, first.CreatedAt), (after!.RuntimeStatus, after.CreatedAt));
        Assert.Equal(4, renderer.StepsRun.Values.Sum()); // one image of 4 steps rendered once
    }

    [Theory]
    [InlineData("""{"items": [{"prompt": "a red circle", "width": 1000}]}""", "items[0].width: width 1000 is not a multiple of 16")]
    [InlineData("""{"items": []}""", "items: at least one item with a prompt is required")]
    [InlineData("""this is not json""", "$: not valid JSON")]
    [InlineData("""null""", "$: expected a job object, not null")]
    public async Task InvalidQueueMessage_IsRecordedWithItsReason_AndStartsNoJob(string message, string reason)
    {
        await using var service = await FluxTestService.StartAsync(azurite, new FakeRenderer());
        string jobId = JobIds.FromContent("queue", message);

        await service.Create<JobQueueTrigger>().HandleAsync(message, dequeueCount: 1, service.Client, CancellationToken.None);

        var rejection = await service.Get<RejectionStore>().FindAsync(JobSource.Queue, jobId, CancellationToken.None);
        Assert.NotNull(rejection);
        Assert.Contains(rejection.Reasons, r => r.StartsWith(reason, StringComparison.Ordinal));
        Assert.Equal(message, rejection.Content);
        Assert.Null(await service.Client.GetInstanceAsync(jobId));
    }

    [Fact]
    public async Task PromptsBlob_StartsAJob_AndPublishesCloudEventsToTheEventsQueue()
    {
        await using var service = await FluxTestService.StartAsync(azurite, new FakeRenderer());
        var storage = service.Get<StorageClients>();
        var prompts = await storage.ContainerAsync(FluxOptions.PromptsContainer);
        string name = $"batch-{Guid.NewGuid():N}.txt";
        var blob = prompts.GetBlobClient(name);
        await blob.UploadAsync(BinaryData.FromString("# two shapes\na red circle\n\n  a blue square  \n"));
        var etag = (await blob.GetPropertiesAsync()).Value.ETag;
        string jobId = JobIds.FromContent("prompts", $"{name}\n{etag}");

        await service.Create<PromptsBlobTrigger>().RunAsync(blob, name, service.Client, CancellationToken.None);
        var job = await service.WaitAsync(jobId);

        Assert.Equal(OrchestrationRuntimeStatus.Completed, job.RuntimeStatus);
        var manifest = await JobAssertions.AssertManifestMatchesImagesAsync(service, jobId, 2);
        Assert.Equal(["a red circle", "a blue square"], manifest.Images.Select(i => i.Prompt));

        var events = await ReadEventsAsync(service, jobId);
        var completed = Assert.Single(events, e => e.Type == FluxEvents.JobCompleted);
        Assert.Equal($"generations/{jobId}", completed.Subject);
        var data = completed.Data!.ToObjectFromJson<JobCompletedData>(ImageStore.JsonOptions)!;
        Assert.Equal((jobId, 2, 2, 0), (data.JobId, data.Total, data.Completed, data.Failed));
        Assert.EndsWith(ImageStore.ManifestName(jobId), data.ManifestUrl, StringComparison.Ordinal);
        var images = events.Where(e => e.Type == FluxEvents.ImageCompleted).Select(e => e.Data!.ToObjectFromJson<ImageCompletedData>(ImageStore.JsonOptions)!).ToList();
        Assert.Equal([0, 1], images.Select(i => i.Index).Order());
        Assert.Equal(manifest.Images.Select(i => i.Sha256), images.OrderBy(i => i.Index).Select(i => i.Sha256));
    }

    [Fact]
    public async Task PromptsBlob_WithUnknownExtension_IsRecordedAndStartsNoJob()
    {
        await using var service = await FluxTestService.StartAsync(azurite, new FakeRenderer());
        var prompts = await service.Get<StorageClients>().ContainerAsync(FluxOptions.PromptsContainer);
        string name = $"batch-{Guid.NewGuid():N}.csv";
        var blob = prompts.GetBlobClient(name);
        await blob.UploadAsync(BinaryData.FromString("a red circle"));
        string jobId = JobIds.FromContent("prompts", $"{name}\n{(await blob.GetPropertiesAsync()).Value.ETag}");

        await service.Create<PromptsBlobTrigger>().RunAsync(blob, name, service.Client, CancellationToken.None);

        var rejection = await service.Get<RejectionStore>().FindAsync(JobSource.Blob, jobId, CancellationToken.None);
        Assert.Contains(".csv", Assert.Single(rejection!.Reasons), StringComparison.Ordinal);
        Assert.Null(await service.Client.GetInstanceAsync(jobId));
    }

    /// <summary>The CloudEvents of one job on flux-events (the queue is shared, so others are left alone).</summary>
    private static async Task<List<CloudEvent>> ReadEventsAsync(FluxTestService service, string jobId)
    {
        var queue = await service.Get<StorageClients>().QueueAsync(service.Get<IOptions<FluxOptions>>().Value.EventsQueue);
        var events = new List<CloudEvent>();
        var peeked = await queue.PeekMessagesAsync(32);
        foreach (var message in peeked.Value)
        {
            var cloudEvent = CloudEvent.Parse(message.Body)!;
            if (cloudEvent.Subject?.StartsWith($"generations/{jobId}", StringComparison.Ordinal) == true)
            {
                events.Add(cloudEvent);
            }
        }

        return events;
    }
}
