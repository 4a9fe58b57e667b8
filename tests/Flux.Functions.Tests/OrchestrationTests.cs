using Flux.Functions.Orchestrations;
using Flux.Functions.Storage;
using Flux.Functions.Tests.Hosting;
using Microsoft.DurableTask.Client;

namespace Flux.Functions.Tests;

[Collection(AzuriteCollection.Name)]
public sealed class OrchestrationTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task Job_OfSixPrompts_WritesSixPngsAndAManifest_EncodingRepeatedPromptsOnce()
    {
        var renderer = new FakeRenderer();
        await using var service = await FluxTestService.StartAsync(azurite, renderer);
        string[] prompts = ["a red circle", "a blue square", "a red circle", "a green star", "a blue square", "a red circle"];
        string jobId = $"job-{Guid.NewGuid():N}";

        var job = await JobAssertions.RunJobAsync(service, JobAssertions.Request(prompts), jobId);

        Assert.Equal(OrchestrationRuntimeStatus.Completed, job.RuntimeStatus);
        var result = job.ReadOutputAs<JobResult>()!;
        Assert.Empty(result.Failures.Select(f => f.Reason));
        Assert.Equal([0, 1, 2, 3, 4, 5], result.Images);
        Assert.Empty(result.Failures);
        var manifest = await JobAssertions.AssertManifestMatchesImagesAsync(service, jobId, 6);
        Assert.Equal(prompts, manifest.Images.Select(i => i.Prompt));
        Assert.Equal(renderer.ModelId, manifest.Model);
        Assert.Equal(6, manifest.Images.Select(i => i.Seed).Distinct().Count());

        // Three distinct prompts: three encoder runs, three cached conditioning blobs.
        Assert.Equal(3, renderer.EncodeCalls.Count);
        Assert.All(renderer.EncodeCalls.Values, calls => Assert.Equal(1, calls));
        var conditioning = await JobAssertions.ContainerAsync(service, o => o.ConditioningContainer);
        foreach (string prompt in prompts.Distinct())
        {
            Assert.True(await conditioning.GetBlobClient(ConditioningStore.BlobName(renderer.ModelId, prompt)).ExistsAsync());
        }

        // Checkpoints are deleted once their image is saved.
        var checkpoints = await JobAssertions.ContainerAsync(service, o => o.CheckpointsContainer);
        Assert.Empty(await JobAssertions.ListAsync(checkpoints, jobId + "/"));
    }

    [Fact]
    public async Task Image_CarriesItsGenerationParametersAsBlobMetadata()
    {
        await using var service = await FluxTestService.StartAsync(azurite, new FakeRenderer());
        string jobId = $"job-{Guid.NewGuid():N}";
        var request = new Jobs.JobRequest([new Jobs.JobItemRequest("ein grüner Kreis", 32, 16, 3, 2.5f, 1234, "heun")]);

        await JobAssertions.RunJobAsync(service, request, jobId);

        var images = await JobAssertions.ContainerAsync(service, o => o.ImagesContainer);
        var properties = (await images.GetBlobClient(ImageStore.ImageName(jobId, 0)).GetPropertiesAsync()).Value;
        Assert.Equal(ImageStore.PngContentType, properties.ContentType);
        Assert.Equal("ein grüner Kreis", Uri.UnescapeDataString(properties.Metadata["prompt"]));
        Assert.Equal(("32", "16", "3", "2.5", "1234", "heun"), (properties.Metadata["width"], properties.Metadata["height"],
            properties.Metadata["steps"], properties.Metadata["guidance"], properties.Metadata["seed"], properties.Metadata["sampler"]));
    }

    [Fact]
    public async Task Resume_AfterCrashAtStep2_ProducesIdenticalImage()
    {
        const int crashAfterStep = 2;
        var undisturbed = new FakeRenderer();
        var crashing = new CrashOnceRenderer(new FakeRenderer(), crashAfterStep);
        var request = new Jobs.JobRequest([new Jobs.JobItemRequest("a yellow moon", Steps: 6, Seed: 42)]);
        string cleanJob = $"clean-{Guid.NewGuid():N}";
        string crashJob = $"crash-{Guid.NewGuid():N}";

        await using (var service = await FluxTestService.StartAsync(azurite, undisturbed))
        {
            await JobAssertions.RunJobAsync(service, request, cleanJob);
        }

        await using (var service = await FluxTestService.StartAsync(azurite, crashing))
        {
            var job = await JobAssertions.RunJobAsync(service, request, crashJob);
            Assert.Equal(OrchestrationRuntimeStatus.Completed, job.RuntimeStatus);
            var images = await JobAssertions.ContainerAsync(service, o => o.ImagesContainer);
            byte[] clean = await JobAssertions.DownloadAsync(images, ImageStore.ImageName(cleanJob, 0));
            byte[] resumed = await JobAssertions.DownloadAsync(images, ImageStore.ImageName(crashJob, 0));
            Assert.Equal(clean, resumed);
        }

        // The retry resumed from the checkpoint of step 2: 6 steps in all, not 2 + 6.
        Assert.Equal(1, crashing.Crashes);
        Assert.Equal(6, ((FakeRenderer)crashing.Inner).StepsRun.Values.Single());
        Assert.Equal(6, undisturbed.StepsRun.Values.Single());
    }

    [Fact]
    public async Task InvalidInput_FailsTheImageWithoutRetry_AndTheJobStillWritesItsManifest()
    {
        var renderer = new InvalidInputRenderer(new FakeRenderer());
        await using var service = await FluxTestService.StartAsync(azurite, renderer, new Dictionary<string, string?> { ["Flux:ActivityMaxAttempts"] = "5" });
        string jobId = $"job-{Guid.NewGuid():N}";

        var job = await JobAssertions.RunJobAsync(service, JobAssertions.Request("a purple cube"), jobId);

        Assert.Equal(OrchestrationRuntimeStatus.Completed, job.RuntimeStatus);
        Assert.Equal(1, renderer.Attempts);
        var failure = Assert.Single(job.ReadOutputAs<JobResult>()!.Failures);
        Assert.Equal(0, failure.Index);
        Assert.Contains("cannot run image 0", failure.Reason, StringComparison.Ordinal);
        var manifest = await service.Get<ImageStore>().ReadManifestAsync<JobManifest>(jobId, CancellationToken.None);
        Assert.Equal(failure, Assert.Single(manifest!.Failures));
        Assert.Empty(manifest.Images);
    }

    [Fact]
    public async Task Job_RendersAtMostMaxParallelImagesAtOnce_InSubOrchestrationsNamedByIndex()
    {
        var renderer = new FakeRenderer();
        await using var service = await FluxTestService.StartAsync(azurite, renderer, new Dictionary<string, string?> { ["Flux:MaxParallelImages"] = "2" });
        string jobId = $"job-{Guid.NewGuid():N}";

        await JobAssertions.RunJobAsync(service, JobAssertions.Request("one", "two", "three", "four", "five"), jobId);

        var children = new List<OrchestrationMetadata>();
        for (int i = 0; i < 5; i++)
        {
            children.Add((await service.Client.GetInstanceAsync($"{jobId}-{i}"))!);
        }

        Assert.All(children, c => Assert.Equal(RenderImage.Name, c.Name));
        // Window of 2: at any instant at most two image orchestrations were alive.
        var spans = children.Select(c => (c.CreatedAt, c.LastUpdatedAt)).ToList();
        int maxAlive = spans.Max(s => spans.Count(o => o.CreatedAt <= s.CreatedAt && o.LastUpdatedAt > s.CreatedAt));
        Assert.InRange(maxAlive, 1, 2);
    }
}
