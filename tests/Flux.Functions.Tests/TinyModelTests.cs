using Flux.Functions.Jobs;
using Flux.Functions.Orchestrations;
using Flux.Functions.Storage;
using Flux.Functions.Tests.Hosting;
using Flux.Inference;
using Microsoft.DurableTask.Client;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Png;

namespace Flux.Functions.Tests;

/// <summary>The service's orchestrations with the real ONNX pipeline on the tiny model.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class TinyModelTests(AzuriteFixture azurite, TinyModelFixture tiny) : IClassFixture<TinyModelFixture>
{
    private const int Side = 32;
    private const int Steps = 6;

    [Fact]
    public async Task Job_OfSixPrompts_OnTheTinyModel_WritesSixPngsAndAManifest_EncodingRepeatedPromptsOnce()
    {
        var renderer = new CountingRenderer(tiny.Renderer);
        await using var service = await FluxTestService.StartAsync(azurite, renderer);
        string suffix = Guid.NewGuid().ToString("N")[..8]; // the conditioning cache outlives a test: new prompts each run
        string[] prompts = [$"a red circle {suffix}", $"a blue square {suffix}", $"a red circle {suffix}",
                            $"a green star {suffix}", $"a blue square {suffix}", $"a red circle {suffix}"];
        string jobId = $"tiny-{Guid.NewGuid():N}";
        var request = new JobRequest([.. prompts.Select(p => new JobItemRequest(p))], Defaults: new JobItemRequest(Width: Side, Height: Side, Steps: Steps));

        var job = await JobAssertions.RunJobAsync(service, request, jobId);

        Assert.Equal(OrchestrationRuntimeStatus.Completed, job.RuntimeStatus);
        Assert.Empty(job.ReadOutputAs<JobResult>()!.Failures);
        var manifest = await JobAssertions.AssertManifestMatchesImagesAsync(service, jobId, 6);
        Assert.Equal(tiny.Renderer.ModelId, manifest.Model);
        Assert.Equal(3, renderer.EncodeCalls.Count);
        Assert.All(renderer.EncodeCalls.Values, calls => Assert.Equal(1, calls));

        // The pipeline's PNGs carry the generation parameters in tEXt chunks.
        var images = await JobAssertions.ContainerAsync(service, o => o.ImagesContainer);
        byte[] png = await JobAssertions.DownloadAsync(images, ImageStore.ImageName(jobId, 3));
        var text = Image.Identify(png).Metadata.GetPngMetadata().TextData;
        Assert.Contains(text, t => t.Keyword == "prompt" && t.Value == prompts[3]);
        Assert.Contains(text, t => t.Keyword == "seed" && t.Value == manifest.Images[3].Seed.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task Resume_OnTheTinyModel_AfterCrashAtStep2_ProducesIdenticalPng()
    {
        var request = new JobRequest([new JobItemRequest("a yellow moon over the sea", Side, Side, Steps, Seed: 7)]);
        string cleanJob = $"tiny-clean-{Guid.NewGuid():N}";
        string crashJob = $"tiny-crash-{Guid.NewGuid():N}";
        var crashing = new CrashOnceRenderer(tiny.Renderer, crashAfterStep: 2);

        await using var clean = await FluxTestService.StartAsync(azurite, tiny.Renderer);
        await JobAssertions.RunJobAsync(clean, request, cleanJob);
        await using var crashed = await FluxTestService.StartAsync(azurite, crashing);
        var job = await JobAssertions.RunJobAsync(crashed, request, crashJob);

        Assert.Equal(OrchestrationRuntimeStatus.Completed, job.RuntimeStatus);
        Assert.Equal(1, crashing.Crashes);
        var images = await JobAssertions.ContainerAsync(crashed, o => o.ImagesContainer);
        byte[] expected = await JobAssertions.DownloadAsync(images, ImageStore.ImageName(cleanJob, 0));
        byte[] resumed = await JobAssertions.DownloadAsync(images, ImageStore.ImageName(crashJob, 0));
        Assert.Equal(expected, resumed);
    }

    [Fact]
    public async Task Checkpoint_OfAnotherImageSize_IsInvalidInput_SoItIsNotRetried()
    {
        await using var service = await FluxTestService.StartAsync(azurite, tiny.Renderer);
        var spec = new GenerationSettings("a red circle", Side, Side, Steps, 0f, 1, "euler", 0);
        byte[] conditioning = await tiny.Renderer.EncodePromptAsync(spec, CancellationToken.None);
        byte[] otherShape = (await tiny.Renderer.DenoiseAsync(
            new Rendering.DenoiseChunkRequest(spec with { Width = Side * 2 }, conditioning, null, 1, TimeSpan.FromMinutes(1), (_, _, _) => Task.CompletedTask), CancellationToken.None)).Checkpoint.ToArray();

        var error = await Assert.ThrowsAsync<Rendering.InvalidRenderInputException>(() => tiny.Renderer.DenoiseAsync(
            new Rendering.DenoiseChunkRequest(spec, conditioning, otherShape, 1, TimeSpan.FromMinutes(1), (_, _, _) => Task.CompletedTask), CancellationToken.None));
        Assert.Contains("shape", error.Message, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>
    /// A checkpoint written by a newer build (met by an old worker during a rolling upgrade) is not the request's fault:
    /// it fails as a retryable error, not as invalid input that would fail the image for good.
    /// </summary>
    [Fact]
    public async Task DenoiseFromANewerBuildsCheckpoint_IsARetryableFailure_NotInvalidInput()
    {
        var spec = new GenerationSettings("a red circle", Side, Side, Steps, 0f, 1, "euler", 0);
        byte[] conditioning = await tiny.Renderer.EncodePromptAsync(spec, CancellationToken.None);
        byte[] newer = (await tiny.Renderer.DenoiseAsync(
            new Rendering.DenoiseChunkRequest(spec, conditioning, null, 1, TimeSpan.FromMinutes(1), (_, _, _) => Task.CompletedTask), CancellationToken.None)).Checkpoint.ToArray();
        System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(newer.AsSpan(8), 99);

        var error = await Assert.ThrowsAsync<Flux.Core.CheckpointException>(() => tiny.Renderer.DenoiseAsync(
            new Rendering.DenoiseChunkRequest(spec, conditioning, newer, 1, TimeSpan.FromMinutes(1), (_, _, _) => Task.CompletedTask), CancellationToken.None));
        Assert.Equal(Flux.Core.CheckpointFailure.NewerVersion, error.Failure);
    }

    /// <summary>
    /// One Denoise activity in sequential memory mode (the T4 profile) loads the transformer once, while it
    /// still saves a checkpoint every K steps; it used to re-enter the pipeline per K steps (4 loads for 8 steps, K = 2).
    /// </summary>
    [Fact]
    public async Task DenoiseActivity_InSequentialMode_LoadsTheTransformerOnce_AndCheckpointsEveryKSteps()
    {
        var cache = new Flux.Inference.Sessions.SessionCache();
        var options = new Flux.Inference.Sessions.InferenceOptions
        {
            ExecutionProvider = Flux.Inference.Sessions.ExecutionProviderKind.Cpu,
            MemoryMode = Flux.Inference.Sessions.MemoryMode.Sequential,
        };
        using var renderer = new Rendering.FluxPipelineRenderer(FluxPipeline.Open(Flux.ModelBuilder.BuiltInPackages.EnsureBuilt("tiny"), options, cache: cache), checkpointEverySteps: 2);
        string transformer = renderer.Pipeline.Package.Io.Transformer.ModelFile;
        var spec = new GenerationSettings("a red circle", Side, Side, 8, 0f, 1, "euler", 0);
        byte[] conditioning = await renderer.EncodePromptAsync(spec, CancellationToken.None);
        int loadsBefore = cache.LoadCount(transformer);
        var saved = new List<int>();

        var chunk = await renderer.DenoiseAsync(new Rendering.DenoiseChunkRequest(spec, conditioning, null, MaxSteps: 8, TimeSpan.FromMinutes(1), async (_, step, _) =>
        {
            await Task.Yield();
            saved.Add(step);
        }), CancellationToken.None);

        Assert.Equal((8, 8), (chunk.Step, chunk.TotalSteps));
        Assert.Equal([2, 4, 6], saved);
        Assert.Equal(loadsBefore + 1, cache.LoadCount(transformer));
    }

    /// <summary>The time budget is checked at each checkpoint: once used up, the chunk ends there with the state reached, unsaved (the activity stores it).</summary>
    [Fact]
    public async Task DenoiseActivity_OutOfTime_StopsAtTheNextCheckpointBoundary()
    {
        var spec = new GenerationSettings("a red circle", Side, Side, Steps, 0f, 1, "euler", 0);
        byte[] conditioning = await tiny.Renderer.EncodePromptAsync(spec, CancellationToken.None);
        var saved = new List<int>();

        var chunk = await tiny.Renderer.DenoiseAsync(new Rendering.DenoiseChunkRequest(spec, conditioning, null, MaxSteps: Steps, TimeSpan.FromTicks(1), (_, step, _) =>
        {
            saved.Add(step);
            return Task.CompletedTask;
        }), CancellationToken.None);

        Assert.Equal(TinyModelFixture.CheckpointEvery, chunk.Step);
        Assert.Empty(saved);
        Assert.False(chunk.IsCompleted);
    }
}
