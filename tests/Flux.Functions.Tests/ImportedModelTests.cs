using Flux.Functions.Jobs;
using Flux.Functions.Orchestrations;
using Flux.Functions.Rendering;
using Flux.Functions.Tests.Hosting;
using Flux.Inference;
using Flux.Inference.Sessions;
using Flux.ModelBuilder.Import;
using Flux.Tests.Shared;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Flux.Functions.Tests;

/// <summary>
/// A package made by `flux model import` (issue 12) served by the app: Flux:ModelPath points at it, the app's own
/// renderer registration opens it, and a job runs through the orchestrations and activities (EncodePrompt, Denoise
/// chunks with checkpoints, DecodeAndSave) against Azurite.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class ImportedModelTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task ImportedDevPackage_ConfiguredAsFluxModelPath_RendersThroughTheActivities_TheSamePixelsAsThePipeline()
    {
        using var folder = new TemporaryFolder();
        var source = ImportSourceFolder.Write(folder.Path, new SmallFlux(Dev: true));
        var package = Path.Combine(folder.Path, "flux-dev-imported");
        ModelImporter.Import(new ImportRequest { Source = source, Output = package, Precision = WeightPrecision.Bf16 });

        using var app = AppHost.Build(new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = azurite.ConnectionString,
            ["Flux:ModelPath"] = package,
            ["Flux:CheckpointEverySteps"] = "2",
            ["Flux:Inference:ExecutionProvider"] = "cpu",
        });
        var renderer = app.Services.GetRequiredService<IImageRenderer>();
        Assert.IsType<FluxPipelineRenderer>(renderer);
        Assert.False(renderer.Defaults.FixedSize);

        await using var service = await FluxTestService.StartAsync(azurite.ConnectionString, renderer);
        string prompt = $"a red fox in the snow {Guid.NewGuid():N}"[..32];
        string jobId = $"imported-{Guid.NewGuid():N}";
        var request = new JobRequest([new JobItemRequest(prompt, Width: 64, Height: 48, Steps: 6, Guidance: 3.5f, Seed: 5)]);

        var job = await JobAssertions.RunJobAsync(service, request, jobId);

        Assert.Equal(OrchestrationRuntimeStatus.Completed, job.RuntimeStatus);
        Assert.Empty(job.ReadOutputAs<JobResult>()!.Failures);
        var manifest = await JobAssertions.AssertManifestMatchesImagesAsync(service, jobId, 1);
        Assert.Equal(renderer.ModelId, manifest.Model);
        var images = await JobAssertions.ContainerAsync(service, o => o.ImagesContainer);
        using var served = Image.Load<Rgb24>(await JobAssertions.DownloadAsync(images, manifest.Images[0].Blob));
        var servedRgb = new byte[64 * 48 * 3];
        served.CopyPixelDataTo(servedRgb);

        // The same image drawn by the pipeline in one go: the service's chunks, checkpoints and activities change nothing.
        using var pipeline = FluxPipeline.Open(package, new InferenceOptions { ExecutionProvider = ExecutionProviderKind.Cpu });
        using var direct = pipeline.Generate(new GenerationSettings(prompt, 64, 48, 6, 3.5f, 5, "euler", 0));
        Assert.True(direct.Rgb.Distinct().Count() > 16, "the imported model's image is flat");
        Assert.Equal(direct.Rgb, servedRgb);
    }
}
