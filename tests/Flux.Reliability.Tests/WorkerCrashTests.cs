using Flux.Functions.Storage;
using Flux.Functions.Tests.Hosting;
using Microsoft.DurableTask.Client;
using Xunit.Abstractions;

namespace Flux.Reliability.Tests;

[Collection(ReliabilityCollection.Name)]
public sealed class WorkerCrashTests(AzuriteFixture azurite, ITestOutputHelper output)
{
    private const int Images = 20;
    private const int Steps = 8;

    [Fact]
    public async Task Job_Of20Images_WithDenoiseKilledAtRandomSteps_CompletesEveryImage_IdenticalToTheUndisturbedRun()
    {
        var faulty = new RandomCrashRenderer(new FakeRenderer(checkpointEvery: 2), seed: 20261126, probability: 0.3, maxCrashesPerImage: 3);
        await using var service = await FluxTestService.StartAsync(azurite, faulty, new Dictionary<string, string?>
        {
            ["Flux:MaxParallelImages"] = "5",
            ["Flux:DenoiseChunkSteps"] = "4",
            ["Flux:ActivityMaxAttempts"] = "5",
            ["Flux:ActivityFirstRetryInterval"] = "00:00:00.020",
        });
        var request = JobAssertions.Request([.. Enumerable.Range(0, Images).Select(i => $"crash test {i % 7}")]) with
        {
            Defaults = new Flux.Functions.Jobs.JobItemRequest(Steps: Steps, Seed: 4200),
        };

        var undisturbed = await JobAssertions.RunJobAsync(service, request, "crash-reference");
        faulty.Enabled = true;
        var crashed = await JobAssertions.RunJobAsync(service, request, "crash-faulty");

        Assert.Equal(OrchestrationRuntimeStatus.Completed, undisturbed.RuntimeStatus);
        Assert.Equal(OrchestrationRuntimeStatus.Completed, crashed.RuntimeStatus);
        Assert.True(faulty.Crashes.Count >= Images / 2, $"only {faulty.Crashes.Count} crashes were injected");
        Assert.True(faulty.Crashes.Select(c => c.Where).Distinct().Count() >= 3, "crashes hit too few kinds of points");
        var manifest = await JobAssertions.AssertManifestMatchesImagesAsync(service, "crash-faulty", Images);
        Assert.Empty(manifest.Failures);

        var images = await JobAssertions.ContainerAsync(service, o => o.ImagesContainer);
        for (int i = 0; i < Images; i++)
        {
            byte[] expected = await JobAssertions.DownloadAsync(images, ImageStore.ImageName("crash-reference", i));
            byte[] actual = await JobAssertions.DownloadAsync(images, ImageStore.ImageName("crash-faulty", i));
            Assert.True(expected.AsSpan().SequenceEqual(actual), $"image {i} differs from the undisturbed run after crashes {string.Join(", ", faulty.Crashes.Where(c => c.Index == i))}");
        }

        var checkpoints = await JobAssertions.ContainerAsync(service, o => o.CheckpointsContainer);
        Assert.Empty(await JobAssertions.ListAsync(checkpoints, "crash-faulty/"));
        Assert.Equal(Images, (await JobAssertions.ListAsync(images, "crash-faulty/")).Count(n => n.EndsWith(".png", StringComparison.Ordinal)));
        output.WriteLine($"{faulty.Crashes.Count} injected crashes over {Images} images: " + string.Join(", ", faulty.Crashes.GroupBy(c => c.Where).Select(g => $"{g.Count()} {g.Key}")));
    }
}
