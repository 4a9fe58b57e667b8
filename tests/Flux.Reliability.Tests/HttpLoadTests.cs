using System.Collections.Concurrent;
using Flux.Functions.Http;
using Flux.Functions.Orchestrations;
using Flux.Functions.Tests.Hosting;
using Microsoft.DurableTask.Client;
using Xunit.Abstractions;

namespace Flux.Reliability.Tests;

[Collection(ReliabilityCollection.Name)]
public sealed class HttpLoadTests(AzuriteFixture azurite, ITestOutputHelper output)
{
    private const int Requests = 200;
    private const int Burst = 40;

    [Fact]
    public async Task ConcurrentStarts_200_AreEachAnswered202Or429WithRetryAfter_AndEvery202IsAJobThatCompletes()
    {
        await using var service = await FluxTestService.StartAsync(azurite, new FakeRenderer(), new Dictionary<string, string?>
        {
            ["Flux:StartBurst"] = $"{Burst}",
            ["Flux:StartsPerSecond"] = "1",
        });
        var api = service.Create<GenerationsApi>();
        var answers = new ConcurrentBag<(int Status, string? Id, string? RetryAfter, string? ContentType)>();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, Requests).Select(i => Task.Run(async () =>
        {
            var post = HttpCalls.Request("POST", "/api/generations", $$"""{"items": [{"prompt": "start {{i}}", "steps": 2, "width": 16, "height": 16}]}""");
            var response = await HttpCalls.ExecuteAsync(post, await api.StartAsync(post, service.Client, CancellationToken.None));
            string? id = response.StatusCode == 202 ? HttpCalls.Json(response).GetProperty("id").GetString() : null;
            answers.Add((response.StatusCode, id, response.Headers.RetryAfter.FirstOrDefault(), response.ContentType));
        })));
        var seconds = clock.Elapsed.TotalSeconds;

        Assert.Equal(Requests, answers.Count);
        Assert.All(answers, a => Assert.Contains(a.Status, new[] { 202, 429 }));
        var accepted = answers.Where(a => a.Status == 202).Select(a => a.Id!).ToList();
        var limited = answers.Where(a => a.Status == 429).ToList();
        Assert.InRange(accepted.Count, Burst, Burst + (int)Math.Ceiling(seconds) + 1); // the burst, then 1 a second
        Assert.All(limited, a => Assert.True(int.Parse(a.RetryAfter!, System.Globalization.CultureInfo.InvariantCulture) >= 1));
        Assert.All(limited, a => Assert.StartsWith("application/problem+json", a.ContentType, StringComparison.Ordinal));
        Assert.Equal(accepted.Count, accepted.Distinct().Count());
        var jobsInHub = new List<string>();
        await foreach (var instance in service.Client.GetAllInstancesAsync(new OrchestrationQuery()))
        {
            if (instance.Name == GenerateJob.Name)
            {
                jobsInHub.Add(instance.InstanceId);
            }
        }

        Assert.Equal(accepted.Order(), jobsInHub.Order()); // a job for every 202, none for a 429
        output.WriteLine($"{Requests} concurrent starts in {seconds:F2} s: {accepted.Count} answered 202, {limited.Count} answered 429 (Retry-After {string.Join("/", limited.Select(a => a.RetryAfter).Distinct())} s), {jobsInHub.Count} jobs in the hub");
        foreach (string id in accepted)
        {
            var job = await service.WaitAsync(id, TimeSpan.FromSeconds(120));
            Assert.Equal(OrchestrationRuntimeStatus.Completed, job.RuntimeStatus);
        }
    }
}
