using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Azure;
using Azure.Messaging.EventGrid;
using Flux.Functions.Activities;
using Flux.Functions.Events;
using Flux.Functions.Orchestrations;
using Flux.Functions.Rendering;
using Flux.Functions.Storage;
using Flux.Functions.Tests.Hosting;
using Flux.Inference;
using Microsoft.Extensions.DependencyInjection;

namespace Flux.Functions.Tests;

[Collection(AzuriteCollection.Name)]
public sealed class EventsAndIdempotencyTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task CompletedJob_IsPublishedToTheEventGridTopic_WhenOneIsConfigured()
    {
        using var topic = new HttpListener();
        int port = FreePort();
        topic.Prefixes.Add($"http://127.0.0.1:{port}/");
        topic.Start();
        var received = ReceiveOneBatchAsync(topic);
        var client = new EventGridPublisherClient(new Uri($"http://127.0.0.1:{port}/api/events"), new AzureKeyCredential("test-key"));
        await using var service = await FluxTestService.StartAsync(azurite, new FakeRenderer(), services: s => s.AddSingleton(new EventGridTopic(client)));
        string jobId = $"grid-{Guid.NewGuid():N}";

        await JobAssertions.RunJobAsync(service, JobAssertions.Request("a red circle", "a blue square"), jobId);

        var (contentType, key, body) = await received.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.StartsWith("application/cloudevents-batch+json", contentType, StringComparison.Ordinal);
        Assert.Equal("test-key", key);
        var events = body.EnumerateArray().ToList();
        Assert.Equal(
            [FluxEvents.ImageCompleted, FluxEvents.ImageCompleted, FluxEvents.JobCompleted],
            events.Select(e => e.GetProperty("type").GetString()));
        Assert.All(events, e => Assert.Equal(("1.0", FluxEvents.Source), (e.GetProperty("specversion").GetString(), e.GetProperty("source").GetString())));
        Assert.Equal($"{jobId}/completed", events[2].GetProperty("id").GetString());
        Assert.Equal(2, events[2].GetProperty("data").GetProperty("completed").GetInt32());
    }

    [Fact]
    public async Task Activities_RunAgainWithTheSameInput_LeaveTheSameBlobs()
    {
        var renderer = new FakeRenderer();
        await using var service = await FluxTestService.StartAsync(azurite, renderer);
        var activities = service.Get<RenderActivities>();
        string jobId = $"idem-{Guid.NewGuid():N}";
        var spec = new GenerationSettings($"a grey triangle {jobId}", 32, 32, 4, 0f, 5, "euler", 0);

        var first = (await activities.EncodePromptAsync(new EncodePromptInput(spec), CancellationToken.None)).ValueOrThrow();
        var again = (await activities.EncodePromptAsync(new EncodePromptInput(spec), CancellationToken.None)).ValueOrThrow();
        var denoise = new DenoiseInput(jobId, spec, first.BlobName, MaxSteps: 4, TimeSpan.FromMinutes(1));
        var reached = (await activities.DenoiseAsync(denoise, CancellationToken.None)).ValueOrThrow();
        var rerun = (await activities.DenoiseAsync(denoise, CancellationToken.None)).ValueOrThrow(); // a duplicate delivery after success
        var saved = (await activities.DecodeAndSaveAsync(new DecodeAndSaveInput(jobId, spec), CancellationToken.None)).ValueOrThrow();
        var savedAgain = (await activities.DecodeAndSaveAsync(new DecodeAndSaveInput(jobId, spec), CancellationToken.None)).ValueOrThrow();

        Assert.Equal((first.BlobName, true, false), (again.BlobName, first.Encoded, again.Encoded));
        Assert.Equal(new DenoiseProgress(4, 4), reached);
        Assert.Equal(reached, rerun);
        Assert.Equal(4, renderer.StepsRun.Values.Single()); // the rerun resumed from the finished checkpoint
        Assert.Equal(saved, savedAgain);
        Assert.Null(await service.Get<CheckpointStore>().ReadAsync(jobId, 0, CancellationToken.None));
    }

    /// <summary>The first request to the fake topic: content type, aeg-sas-key header and JSON body; answers 200.</summary>
    private static async Task<(string ContentType, string? Key, JsonElement Body)> ReceiveOneBatchAsync(HttpListener listener)
    {
        var context = await listener.GetContextAsync();
        using var body = await JsonDocument.ParseAsync(context.Request.InputStream);
        var result = (context.Request.ContentType ?? "", context.Request.Headers["aeg-sas-key"], body.RootElement.Clone());
        context.Response.StatusCode = 200;
        context.Response.Close();
        return result;
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}
