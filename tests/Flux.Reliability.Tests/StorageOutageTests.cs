using Azure.Storage.Blobs;
using Flux.Functions.Jobs;
using Flux.Functions.Storage;
using Flux.Functions.Tests.Hosting;
using Microsoft.DurableTask.Client;
using Xunit.Abstractions;

namespace Flux.Reliability.Tests;

/// <summary>Its own Azurite, since it stops it.</summary>
public sealed class StorageOutageTests(ITestOutputHelper output)
{
    private const int Images = 12;
    private const int Steps = 6;
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(3);

    /// <summary>Storage and activity retries that outlast a 3 s outage (SDK retries up to ~6 s, then up to 6 activity attempts).</summary>
    internal static IEnumerable<KeyValuePair<string, string?>> RetriesThroughAnOutage { get; } = new Dictionary<string, string?>
    {
        ["Flux:StorageMaxRetries"] = "10",
        ["Flux:StorageRetryDelay"] = "00:00:00.100",
        ["Flux:StorageMaxRetryDelay"] = "00:00:01",
        ["Flux:StorageNetworkTimeout"] = "00:00:05",
        ["Flux:ActivityMaxAttempts"] = "6",
    };

    [Fact]
    public async Task StorageStoppedMidJob_AndRestartedOnTheSamePortsAndFolder_TheJobCompletesWithEveryImageOnce()
    {
        await using var azurite = await AzuriteProcess.StartAsync();
        var renderer = new FakeRenderer(checkpointEvery: 2, stepDelay: TimeSpan.FromMilliseconds(40));
        await using var service = await FluxTestService.StartAsync(azurite.ConnectionString, renderer, new Dictionary<string, string?>(RetriesThroughAnOutage)
        {
            ["Flux:MaxParallelImages"] = "3",
            ["Flux:DenoiseChunkSteps"] = "3",
            ["Flux:ActivityFirstRetryInterval"] = "00:00:00.500",
        });
        var request = JobAssertions.Request([.. Enumerable.Range(0, Images).Select(i => $"outage {i}")]) with
        {
            Defaults = new JobItemRequest(Width: 32, Height: 32, Steps: Steps, Seed: 900),
        };
        var starter = service.Get<JobStarter>();
        Assert.True(await starter.StartAsync(service.Client, (await starter.ValidateAsync(request, "outage-job", CancellationToken.None)).Job!, JobSource.Http, CancellationToken.None));

        using (var started = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
        {
            while (renderer.StepsRun.Values.Sum() < 2 * Steps)
            {
                await Task.Delay(10, started.Token);
            }
        }

        var outage = System.Diagnostics.Stopwatch.StartNew();
        await azurite.StopForOutageAsync();
        var probe = new BlobServiceClient(azurite.ConnectionString, new BlobClientOptions { Retry = { MaxRetries = 0 } });
        await Assert.ThrowsAnyAsync<Exception>(() => probe.GetPropertiesAsync()); // storage is really gone
        await Task.Delay(Outage);
        await azurite.RestartAsync();
        output.WriteLine($"storage down {Outage.TotalSeconds:F0} s from step {renderer.StepsRun.Values.Sum()} of {Images * Steps}; restarted after {outage.Elapsed.TotalSeconds:F1} s");
        var atRestart = await service.Client.GetInstanceAsync("outage-job");
        Assert.False(atRestart!.IsCompleted, "the job finished before storage came back; the outage did not hit it");

        var job = await service.WaitAsync("outage-job", TimeSpan.FromSeconds(120));
        Assert.Equal(OrchestrationRuntimeStatus.Completed, job.RuntimeStatus);
        var manifest = await JobAssertions.AssertManifestMatchesImagesAsync(service, "outage-job", Images);
        Assert.Empty(manifest.Failures);
        var images = await JobAssertions.ContainerAsync(service, o => o.ImagesContainer);
        Assert.Equal(
            [.. Enumerable.Range(0, Images).Select(i => ImageStore.ImageName("outage-job", i)), ImageStore.ManifestName("outage-job")],
            (await JobAssertions.ListAsync(images, "outage-job/")).Order(StringComparer.Ordinal));
        var checkpoints = await JobAssertions.ContainerAsync(service, o => o.CheckpointsContainer);
        Assert.Empty(await JobAssertions.ListAsync(checkpoints, "outage-job/"));

        // The same images as a run with no outage.
        await JobAssertions.RunJobAsync(service, request, "outage-reference");
        for (int i = 0; i < Images; i++)
        {
            Assert.Equal(
                await JobAssertions.DownloadAsync(images, ImageStore.ImageName("outage-reference", i)),
                await JobAssertions.DownloadAsync(images, ImageStore.ImageName("outage-job", i)));
        }
    }
}
