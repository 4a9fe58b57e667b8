using System.Text.Json;
using Flux.Functions.Jobs;
using Flux.Functions.Queues;
using Flux.Functions.Storage;
using Flux.Functions.Tests.Hosting;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;

namespace Flux.Functions.Tests;

/// <summary>
/// The [Function] entry points as the host invokes them: HTTP requests routed by the declared routes, verbs and
/// auth levels; the queue trigger's Run with the delivery's binding data. (Orchestrators and activities run
/// through their [Function] methods with JSON inputs in every durable test: see <see cref="FluxTaskRegistry"/>.)
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class EntryPointTests(AzuriteFixture azurite)
{
    [Fact]
    public void HttpRoutesDeclaredByTheAttributes_AreTheOnesInFunctionsMetadata()
    {
        var declared = FunctionsHttpHost.Routes.Select(r => (r.Function, r.Template, r.Verb.ToLowerInvariant(), r.Level.ToString()));
        var generated = BindingsTests.Functions
            .Select(f => (Name: f.GetProperty("name").GetString()!, Trigger: BindingsTests.Trigger(f)))
            .Where(f => f.Trigger.GetProperty("type").GetString() == "httpTrigger")
            .SelectMany(f => f.Trigger.GetProperty("methods").EnumerateArray().Select(m =>
                (f.Name, f.Trigger.GetProperty("route").GetString()!, m.GetString()!, f.Trigger.GetProperty("authLevel").GetString()!)));

        Assert.Equal(generated.Order(), declared.Order());
        Assert.Equal(["Health"], FunctionsHttpHost.Routes.Where(r => r.Level == AuthorizationLevel.Anonymous).Select(r => r.Function));
    }

    [Fact]
    public async Task Http_ThroughTheRoutes_NeedsAKeyExceptHealth_AndStartsPollsAndServesAGeneration()
    {
        await using var service = await FluxTestService.StartAsync(azurite, new FakeRenderer());
        var host = new FunctionsHttpHost(service.Services, service.Client);
        const string body = """{"items": [{"prompt": "a routed rhombus", "steps": 2}]}""";

        var anonymous = await host.SendAsync(HttpCalls.Request("POST", "/api/generations", body));
        var keyless = await host.SendAsync(HttpCalls.Request("GET", "/api/models"));
        var health = await host.SendAsync(HttpCalls.Request("GET", "/api/health"));
        var started = await host.SendAsync(WithKey(HttpCalls.Request("POST", "/api/generations", body)));

        Assert.Equal((401, 401), (anonymous.StatusCode, keyless.StatusCode));
        Assert.NotEqual(401, health.StatusCode);
        Assert.Equal(202, started.StatusCode);
        string id = HttpCalls.Json(started).GetProperty("id").GetString()!;
        await service.WaitAsync(id);

        var poll = HttpCalls.Request("GET", $"/api/generations/{id}");
        poll.QueryString = new Microsoft.AspNetCore.Http.QueryString($"?code={FunctionsHttpHost.FunctionKey}"); // the key as a query parameter
        var status = await host.SendAsync(poll);
        var image = await host.SendAsync(WithKey(HttpCalls.Request("GET", $"/api/generations/{id}/images/0")));
        var notAnIndex = await host.SendAsync(WithKey(HttpCalls.Request("GET", $"/api/generations/{id}/images/first")));
        var wrongVerb = await host.SendAsync(WithKey(HttpCalls.Request("PUT", $"/api/generations/{id}")));
        var cancelled = await host.SendAsync(WithKey(HttpCalls.Request("DELETE", $"/api/generations/{id}")));

        Assert.Equal(("Completed", 1), (HttpCalls.Json(status).GetProperty("status").GetString(), HttpCalls.Json(status).GetProperty("completed").GetInt32()));
        Assert.Equal((200, "image/png"), (image.StatusCode, image.ContentType));
        Assert.Equal((404, 404), (notAnIndex.StatusCode, wrongVerb.StatusCode)); // {n:int} and the verb are part of the route
        Assert.Equal(409, cancelled.StatusCode); // a finished generation cannot be cancelled
    }

    [Fact]
    public async Task QueueTriggerRun_StartsTheJob_AndAFailedDeliveryIsRecordedWithTheHostsDequeueCount()
    {
        await using var service = await FluxTestService.StartAsync(azurite, new FakeRenderer());
        var trigger = service.Create<JobQueueTrigger>();
        string message = $$"""{"items": [{"prompt": "a queued oval {{Guid.NewGuid():N}}", "steps": 2}]}""";
        string failing = $$"""{"items": [{"prompt": "an unlucky oval {{Guid.NewGuid():N}}", "steps": 2}]}""";

        await trigger.RunAsync(message, service.Client, new QueueDelivery(dequeueCount: 1), CancellationToken.None);
        // A client that cannot start anything (null: the first call throws) fails the delivery, as an outage would.
        await Assert.ThrowsAnyAsync<Exception>(() => trigger.RunAsync(failing, null!, new QueueDelivery(dequeueCount: 3), CancellationToken.None));

        Assert.Equal(OrchestrationRuntimeStatus.Completed, (await service.WaitAsync(JobIds.FromContent("queue", message))).RuntimeStatus);
        var record = await service.Get<FailureStore>().FindAsync(JobSource.Queue, JobIds.FromContent("queue", failing), CancellationToken.None);
        Assert.Equal((3, failing), (record!.Attempt, record.Content));
    }

    private static Microsoft.AspNetCore.Http.HttpRequest WithKey(Microsoft.AspNetCore.Http.HttpRequest request)
    {
        request.Headers["x-functions-key"] = FunctionsHttpHost.FunctionKey;
        return request;
    }
}
