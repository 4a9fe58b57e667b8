using System.Text.Json;
using Flux.Functions.Http;
using Flux.Functions.Tests.Hosting;
using Microsoft.DurableTask.Client;

namespace Flux.Reliability.Tests;

[Collection(ReliabilityCollection.Name)]
public sealed class CancellationTests(AzuriteFixture azurite)
{
    private const int Images = 3;
    private const int Steps = 40;
    private static readonly TimeSpan StepTime = TimeSpan.FromMilliseconds(600); // far above the 20 ms poll and a marker read, even with the whole suite running beside it

    [Fact]
    public async Task Delete_DuringAJob_StopsRenderingWithinOneStep_DeletesCheckpoints_AndTheStatusSaysCancelled()
    {
        var renderer = new FakeRenderer(checkpointEvery: 2, stepDelay: StepTime);
        await using var service = await FluxTestService.StartAsync(azurite, renderer, new Dictionary<string, string?>
        {
            ["Flux:MaxParallelImages"] = $"{Images}",
            ["Flux:DenoiseChunkSteps"] = $"{Steps}", // one long Denoise activity per image: only the marker can stop it
            ["Flux:CheckpointEverySteps"] = "2",
            ["Flux:CancellationPollInterval"] = "00:00:00.020",
        });
        var api = service.Create<GenerationsApi>();
        var post = HttpCalls.Request("POST", "/api/generations", $$"""{"defaults": {"steps": {{Steps}}, "seed": 7}, "items": [{"prompt": "a"}, {"prompt": "b"}, {"prompt": "c"}]}""");
        var accepted = await HttpCalls.ExecuteAsync(post, await api.StartAsync(post, service.Client, CancellationToken.None));
        Assert.Equal(202, accepted.StatusCode);
        string id = HttpCalls.Json(accepted).GetProperty("id").GetString()!;
        var checkpoints = await JobAssertions.ContainerAsync(service, o => o.CheckpointsContainer);
        await WaitUntilAsync(async () => StepsPerImage(renderer).Any(s => s >= 4) && (await JobAssertions.ListAsync(checkpoints, $"{id}/")).Count > 0);

        var delete = HttpCalls.Request("DELETE", $"/api/generations/{id}");
        var cancelled = await HttpCalls.ExecuteAsync(delete, await api.CancelAsync(delete, id, service.Client, CancellationToken.None));
        Assert.Equal(202, cancelled.StatusCode);
        int[] atCancel = StepsPerImage(renderer);

        await Task.Delay(StepTime * 6); // long enough for several more steps, had rendering gone on
        int[] after = StepsPerImage(renderer);
        for (int i = 0; i < Images; i++)
        {
            Assert.True(after[i] - atCancel[i] <= 1, $"image {i} ran {after[i] - atCancel[i]} steps after DELETE returned (at most the step in progress may finish)");
            Assert.True(after[i] < Steps, $"image {i} finished all {Steps} steps despite the cancel");
        }

        Assert.DoesNotContain(await JobAssertions.ListAsync(checkpoints, $"{id}/"), n => n.EndsWith(".ckpt", StringComparison.Ordinal));
        var images = await JobAssertions.ContainerAsync(service, o => o.ImagesContainer);
        Assert.Empty(await JobAssertions.ListAsync(images, $"{id}/"));
        Assert.Equal(OrchestrationRuntimeStatus.Terminated, (await service.WaitAsync(id)).RuntimeStatus);
        var get = HttpCalls.Request("GET", $"/api/generations/{id}");
        var status = HttpCalls.Json(await HttpCalls.ExecuteAsync(get, await api.GetAsync(get, id, service.Client, CancellationToken.None)));
        Assert.Equal(("Terminated", GenerationsApi.CancelReason), (status.GetProperty("status").GetString(), status.GetProperty("error").GetString()));
        Assert.Equal(JsonValueKind.Null, status.GetProperty("manifest").ValueKind);
    }

    private static int[] StepsPerImage(FakeRenderer renderer)
        => [.. Enumerable.Range(0, Images).Select(i => renderer.StepsRun.Where(kv => kv.Key.Index == i).Sum(kv => kv.Value))];

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!await condition())
        {
            await Task.Delay(20, timeout.Token);
        }
    }
}
