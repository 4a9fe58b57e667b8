using Flux.Functions.Events;
using Flux.Functions.Jobs;
using Flux.Functions.Notifications;
using Flux.Functions.Orchestrations;
using Flux.Functions.Storage;
using Flux.Functions.Tests.Hosting;
using Microsoft.DurableTask.Client;

namespace Flux.Functions.Tests.Notifications;

/// <summary>Whole jobs with a webhook: durable retries after 500s, the outcome in the manifest, and a dead webhook that does not fail the job.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class WebhookJobTests(AzuriteFixture azurite)
{
    private static readonly string Secret = WebhookReceiver.NewSecret();

    private Task<FluxTestService> StartAsync(int maxAttempts) => FluxTestService.StartAsync(azurite, new FakeRenderer(), new Dictionary<string, string?>
    {
        ["Flux:WebhookSecret"] = Secret,
        ["Flux:AllowLoopbackWebhooks"] = "true",
        ["Flux:WebhookMaxAttempts"] = maxAttempts.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Flux:WebhookFirstRetryInterval"] = "00:00:00.050",
    });

    private static JobRequest WithWebhook(Uri url, IReadOnlyList<string>? events, params string[] prompts)
        => JobAssertions.Request(prompts) with { Notify = new NotifySpec(Webhook: new WebhookSpec(url.ToString(), events)) };

    [Fact]
    public async Task Webhook_Answering500Twice_IsRetriedFromTheFailedEvent_AndEveryEventArrivesSigned()
    {
        // Attempt 1 delivers image 0, then image 1 gets a 500; attempt 2 gets a 500 again; attempt 3
        // resumes at image 1 (image 0 is not sent twice) and delivers the rest.
        using var receiver = new WebhookReceiver(n => n is 1 or 2 ? 500 : 200);
        await using var service = await StartAsync(maxAttempts: 5);
        string jobId = $"hook-{Guid.NewGuid():N}";

        var job = await JobAssertions.RunJobAsync(service, WithWebhook(receiver.Url, null, "a red circle", "a blue square"), jobId);

        Assert.Equal(OrchestrationRuntimeStatus.Completed, job.RuntimeStatus);
        var requests = receiver.Requests.ToList();
        Assert.Equal([200, 500, 500, 200, 200], requests.Select(r => r.AnsweredWith));
        Assert.All(requests, r => WebhookReceiver.Verify(Secret, r));
        // A retried event keeps its id (receivers deduplicate on it).
        Assert.Equal(
            [$"{jobId}/images/0", $"{jobId}/images/1", $"{jobId}/images/1", $"{jobId}/images/1", $"{jobId}/completed"],
            requests.Select(r => r.Headers["webhook-id"].ToString()));
        var manifest = await service.Get<ImageStore>().ReadManifestAsync<JobManifest>(jobId, CancellationToken.None);
        var delivery = manifest!.Webhook!;
        Assert.Equal((WebhookDelivery.Delivered, 3, 3, 3, 200), (delivery.Status, delivery.Attempts, delivery.EventsDelivered, delivery.EventsTotal, delivery.LastStatusCode));
        Assert.Contains("500", delivery.LastError, StringComparison.Ordinal);
        Assert.Equal($"http://127.0.0.1:{receiver.Port}/hooks/flux", delivery.Target); // no query: it may hold a token
    }

    [Fact]
    public async Task Webhook_Answering404_IsNotRetried()
    {
        using var receiver = new WebhookReceiver(_ => 404);
        await using var service = await StartAsync(maxAttempts: 5);
        string jobId = $"hook404-{Guid.NewGuid():N}";

        var job = await JobAssertions.RunJobAsync(service, WithWebhook(receiver.Url, null, "a red circle"), jobId);

        Assert.Equal(OrchestrationRuntimeStatus.Completed, job.RuntimeStatus);
        Assert.Single(receiver.Requests);
        var manifest = await service.Get<ImageStore>().ReadManifestAsync<JobManifest>(jobId, CancellationToken.None);
        Assert.Equal((WebhookDelivery.Failed, 1, 404), (manifest!.Webhook!.Status, manifest.Webhook.Attempts, manifest.Webhook.LastStatusCode));
        Assert.Contains("404", manifest.Webhook.LastError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Webhook_ThatIsDown_IsRecordedAsFailed_AndTheJobStillCompletes()
    {
        var down = new Uri($"http://127.0.0.1:{WebhookReceiver.FreePort()}/hook");
        await using var service = await StartAsync(maxAttempts: 3);
        string jobId = $"hookdown-{Guid.NewGuid():N}";

        var job = await JobAssertions.RunJobAsync(service, WithWebhook(down, null, "a green triangle"), jobId);

        Assert.Equal(OrchestrationRuntimeStatus.Completed, job.RuntimeStatus);
        var manifest = await JobAssertions.AssertManifestMatchesImagesAsync(service, jobId, 1);
        var delivery = manifest.Webhook!;
        Assert.Equal((WebhookDelivery.Failed, 3, 0, 2), (delivery.Status, delivery.Attempts, delivery.EventsDelivered, delivery.EventsTotal));
        Assert.Contains("127.0.0.1", delivery.LastError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Webhook_AskingForJobCompletedOnly_GetsOnlyThatEvent()
    {
        using var receiver = new WebhookReceiver(_ => 200);
        await using var service = await StartAsync(maxAttempts: 2);
        string jobId = $"hookjob-{Guid.NewGuid():N}";

        await JobAssertions.RunJobAsync(service, WithWebhook(receiver.Url, [FluxEvents.JobCompleted], "a red circle", "a red square"), jobId);

        var request = Assert.Single(receiver.Requests);
        Assert.Equal($"{jobId}/completed", request.Headers["webhook-id"].ToString());
        var manifest = await service.Get<ImageStore>().ReadManifestAsync<JobManifest>(jobId, CancellationToken.None);
        Assert.Equal((WebhookDelivery.Delivered, 1, 1), (manifest!.Webhook!.Status, manifest.Webhook.Attempts, manifest.Webhook.EventsTotal));
    }

    [Fact]
    public async Task Job_WithoutWebhook_HasNoDeliveryInItsManifest()
    {
        await using var service = await StartAsync(maxAttempts: 2);
        string jobId = $"nohook-{Guid.NewGuid():N}";

        await JobAssertions.RunJobAsync(service, JobAssertions.Request("a red circle"), jobId);

        var manifest = await service.Get<ImageStore>().ReadManifestAsync<JobManifest>(jobId, CancellationToken.None);
        Assert.Null(manifest!.Webhook);
    }
}
