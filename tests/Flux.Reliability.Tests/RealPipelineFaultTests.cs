using Flux.Functions.Jobs;
using Flux.Functions.Orchestrations;
using Flux.Functions.Storage;
using Flux.Functions.Tests.Hosting;
using Microsoft.DurableTask.Client;
using Xunit.Abstractions;

namespace Flux.Reliability.Tests;

/// <summary>
/// The faults of <see cref="WorkerCrashTests"/> and <see cref="StorageOutageTests"/> on the real ONNX
/// pipeline (the built-in tiny package) instead of the stand-in renderer: its checkpoints, its resume
/// and its PNGs are what must come out identical. Its own Azurite, since it stops it.
/// </summary>
public sealed class RealPipelineFaultTests(ITestOutputHelper output)
{
    private const int Images = 6;
    private const int Side = 64;
    private const int Steps = 8;
    private const int CrashSeed = 20261205;
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(3);

    [Fact]
    public async Task TinyPipeline_WithTenOrMoreCrashesAndAStorageOutage_RendersEveryImage_ByteIdenticalToTheUndisturbedRun()
    {
        await using var azurite = await AzuriteProcess.StartAsync();
        using var tiny = new TinyModelFixture();
        var crashing = new RandomCrashRenderer(tiny.Renderer, CrashSeed, probability: 0.4, maxCrashesPerImage: 3);
        var faulty = new OutageAtCheckpointRenderer(crashing, azurite, Outage, atImage: 1, atStep: 2);
        await using var service = await FluxTestService.StartAsync(azurite.ConnectionString, faulty, new Dictionary<string, string?>(StorageOutageTests.RetriesThroughAnOutage)
        {
            ["Flux:MaxParallelImages"] = "3",
            ["Flux:DenoiseChunkSteps"] = "4",
            ["Flux:CheckpointEverySteps"] = "2",
            ["Flux:ActivityMaxAttempts"] = "8",   // up to 3 crashes of an image and the outage's failures in one chunk
            ["Flux:ActivityFirstRetryInterval"] = "00:00:00.020",
        });
        var request = JobAssertions.Request([.. Enumerable.Range(0, Images).Select(i => $"a {(i % 2 == 0 ? "red" : "blue")} shape number {i}")]) with
        {
            Defaults = new JobItemRequest(Width: Side, Height: Side, Steps: Steps, Seed: 31),
        };

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var undisturbed = await JobAssertions.RunJobAsync(service, request, "real-reference");
        var undisturbedTime = clock.Elapsed;
        Assert.Equal(OrchestrationRuntimeStatus.Completed, undisturbed.RuntimeStatus);

        crashing.Enabled = true;
        faulty.Armed = true;
        var starter = service.Get<JobStarter>();
        Assert.True(await starter.StartAsync(service.Client, (await starter.ValidateAsync(request, "real-faulty", CancellationToken.None)).Job!, JobSource.Http, CancellationToken.None));
        var disturbed = await service.WaitAsync("real-faulty", TimeSpan.FromSeconds(180));
        await faulty.Restarted;
        var disturbedTime = clock.Elapsed - undisturbedTime;

        Assert.Equal(OrchestrationRuntimeStatus.Completed, disturbed.RuntimeStatus);
        Assert.Empty(disturbed.ReadOutputAs<JobResult>()!.Failures);
        var images = await JobAssertions.ContainerAsync(service, o => o.ImagesContainer);
        for (int i = 0; i < Images; i++)
        {
            byte[] expected = await JobAssertions.DownloadAsync(images, ImageStore.ImageName("real-reference", i));
            byte[] actual = await JobAssertions.DownloadAsync(images, ImageStore.ImageName("real-faulty", i));
            Assert.True(expected.AsSpan().SequenceEqual(actual), $"image {i} differs from the undisturbed run after crashes {string.Join(", ", crashing.Crashes.Where(c => c.Index == i))}");
        }

        Assert.Equal(
            [.. Enumerable.Range(0, Images).Select(i => ImageStore.ImageName("real-faulty", i)), ImageStore.ManifestName("real-faulty")],
            (await JobAssertions.ListAsync(images, "real-faulty/")).Order(StringComparer.Ordinal));
        var checkpoints = await JobAssertions.ContainerAsync(service, o => o.CheckpointsContainer);
        Assert.Empty(await JobAssertions.ListAsync(checkpoints, "real-faulty/"));
        Assert.True(crashing.Crashes.Count >= 10, $"only {crashing.Crashes.Count} crashes were injected");
        Assert.True(faulty.Triggered, "storage was never stopped: the outage did not hit the job");   // stopped inside the job's own Denoise
        output.WriteLine($"{crashing.Crashes.Count} injected crashes over {Images} images of the tiny model ({Side}x{Side}, {Steps} steps): "
            + string.Join(", ", crashing.Crashes.GroupBy(c => c.Where).Select(g => $"{g.Count()} {g.Key}"))
            + $"; storage stopped for {Outage.TotalSeconds:F0} s at image {faulty.AtImage}'s checkpoint of step {faulty.AtStep}"
            + $"; undisturbed job {undisturbedTime.TotalSeconds:F1} s, disturbed {disturbedTime.TotalSeconds:F1} s");
    }

    /// <summary>
    /// Stops Azurite (SIGTERM) when image <paramref name="atImage"/> is about to store its checkpoint of step
    /// <paramref name="atStep"/>, once, and starts it again on the same ports and folder <paramref name="outage"/>
    /// later; the store call then goes on and must get through on the storage retries.
    /// </summary>
    private sealed class OutageAtCheckpointRenderer(Flux.Functions.Rendering.IImageRenderer inner, AzuriteProcess azurite, TimeSpan outage, int atImage, int atStep)
        : RendererDecorator(inner)
    {
        private readonly TaskCompletionSource _restarted = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _triggered;

        public bool Armed { get; set; }

        public int AtImage => atImage;

        public int AtStep => atStep;

        public bool Triggered => Volatile.Read(ref _triggered) == 1;

        /// <summary>Completes when storage is back (at once when the outage never ran, so a test cannot hang on it).</summary>
        public Task Restarted => Triggered ? _restarted.Task : Task.CompletedTask;

        public override Task<Flux.Functions.Rendering.DenoiseChunk> DenoiseAsync(Flux.Functions.Rendering.DenoiseChunkRequest request, CancellationToken cancellationToken)
            => base.DenoiseAsync(request with
            {
                SaveCheckpoint = async (state, step, ct) =>
                {
                    if (Armed && request.Spec.ImageIndex == atImage && step == atStep && Interlocked.Exchange(ref _triggered, 1) == 0)
                    {
                        await azurite.StopForOutageAsync();
                        _ = RestartLaterAsync();
                    }

                    await request.SaveCheckpoint(state, step, ct);
                },
            }, cancellationToken);

        private async Task RestartLaterAsync()
        {
            try
            {
                await Task.Delay(outage);
                await azurite.RestartAsync();
                _restarted.SetResult();
            }
            catch (Exception e)
            {
                _restarted.SetException(e);
            }
        }
    }
}
