using Flux.Functions;
using Flux.Functions.Jobs;
using Flux.Functions.Orchestrations;
using Flux.Functions.Queues;
using Flux.Functions.Storage;
using Flux.Functions.Tests.Hosting;
using Microsoft.DurableTask.Client;

namespace Flux.Reliability.Tests;

[Collection(ReliabilityCollection.Name)]
public sealed class PoisonTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task MessageThatAlwaysFails_EndsInThePoisonQueueWithItsReasonRecorded_AndTheOtherJobsComplete()
    {
        await using var service = await FluxTestService.StartAsync(azurite, new FakeRenderer());
        var storage = service.Get<StorageClients>();
        var jobs = await storage.QueueAsync(FluxOptions.JobsQueue);
        var poison = await storage.QueueAsync($"{FluxOptions.JobsQueue}-poison");
        await jobs.ClearMessagesAsync();
        await poison.ClearMessagesAsync();
        const string doomed = """{"items": [{"prompt": "the poison pill"}]}""";
        string[] good = [.. Enumerable.Range(0, 3).Select(i => $$"""{"items": [{"prompt": "good job {{i}}", "steps": 2}]}""")];
        foreach (string message in good.Take(1).Append(doomed).Concat(good.Skip(1)))
        {
            await jobs.SendMessageAsync(message);
        }

        // The durable backend refuses every start of the poison pill's job: a failure no retry fixes.
        var client = new RefusingClient(service.Client, input => input is GenerateJobInput g && g.Job.Items.Any(i => i.Prompt == "the poison pill"));
        var trigger = service.Create<JobQueueTrigger>();
        var host = QueueHostDriver.FromHostJson(jobs, poison);
        await host.DrainAsync((message, dequeueCount) => trigger.HandleAsync(message, dequeueCount, client, CancellationToken.None), TimeSpan.FromSeconds(60));

        Assert.Equal(5, host.MaxDequeueCount); // host.json; the host moves the message after this many failed deliveries
        Assert.Equal(good.Length, host.Completed);
        Assert.Equal(host.MaxDequeueCount, host.FailedDeliveries);
        var poisoned = (await poison.ReceiveMessagesAsync(32)).Value;
        Assert.Equal(doomed, Assert.Single(poisoned).Body.ToString());

        string doomedId = JobIds.FromContent("queue", doomed);
        var record = await service.Get<FailureStore>().FindAsync(JobSource.Queue, doomedId, CancellationToken.None);
        Assert.NotNull(record);
        Assert.Equal((host.MaxDequeueCount, RefusingClient.Reason, doomed), (record.Attempt, record.Reason, record.Content));
        Assert.Null(await service.Client.GetInstanceAsync(doomedId));
        foreach (string message in good)
        {
            var job = await service.WaitAsync(JobIds.FromContent("queue", message));
            Assert.Equal(OrchestrationRuntimeStatus.Completed, job.RuntimeStatus);
        }
    }

    [Fact]
    public void DequeueCount_IsReadFromTheTriggerMetadata_AsTheHostPassesIt()
    {
        Assert.Equal(3, JobQueueTrigger.DequeueCount(new Dictionary<string, object?> { [JobQueueTrigger.DequeueCountKey] = "3" }));
        Assert.Equal(4, JobQueueTrigger.DequeueCount(new Dictionary<string, object?> { [JobQueueTrigger.DequeueCountKey] = 4L }));
        Assert.Equal(1, JobQueueTrigger.DequeueCount(new Dictionary<string, object?>()));
    }
}
