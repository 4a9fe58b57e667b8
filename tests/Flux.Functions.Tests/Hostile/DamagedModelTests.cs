using Flux.Functions.Activities;
using Flux.Functions.Jobs;
using Flux.Functions.Orchestrations;
using Flux.Functions.Rendering;
using Flux.Functions.Storage;
using Flux.Functions.Tests.Hosting;
using Flux.Inference;
using Flux.ModelBuilder;
using Flux.Tests.Shared;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Flux.Functions.Tests.Hostile;

/// <summary>Counts Denoise attempts per image index.</summary>
internal sealed class DenoiseAttempts(IImageRenderer inner) : RendererDecorator(inner)
{
    public System.Collections.Concurrent.ConcurrentDictionary<int, int> ByImage { get; } = new();

    public override Task<DenoiseChunk> DenoiseAsync(DenoiseChunkRequest request, CancellationToken cancellationToken)
    {
        ByImage.AddOrUpdate(request.Spec.ImageIndex, 1, (_, n) => n + 1);
        return base.DenoiseAsync(request, cancellationToken);
    }
}

/// <summary>Damaged checkpoints and model files are refused with a clear error; the host and the other images carry on.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class DamagedModelTests(AzuriteFixture azurite, TinyModelFixture tiny) : IClassFixture<TinyModelFixture>
{
    private const int Side = 32;
    private const int Steps = 4;
    private static readonly TimeSpan WarmUpTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task CorruptedCheckpoints_FailOnlyTheirImages_WithoutRetry_AndTheManifestRecordsWhy()
    {
        var attempts = new DenoiseAttempts(tiny.Renderer);
        await using var service = await FluxTestService.StartAsync(azurite, attempts);
        string jobId = $"damaged-{Guid.NewGuid():N}";
        var request = new JobRequest(
            [new JobItemRequest("a red circle"), new JobItemRequest("a blue square"), new JobItemRequest("a green star")],
            Defaults: new JobItemRequest(Width: Side, Height: Side, Steps: Steps, Seed: 3));

        // Image 1: bytes that are no checkpoint at all. Image 2: a real checkpoint with one byte flipped.
        var validation = await service.Get<JobStarter>().ValidateAsync(request, jobId, CancellationToken.None);
        var spec2 = validation.Job!.Items[2];
        byte[] conditioning = await tiny.Renderer.EncodePromptAsync(spec2, CancellationToken.None);
        byte[] flipped = (await tiny.Renderer.DenoiseAsync(new DenoiseChunkRequest(spec2, conditioning, null, 1, TimeSpan.FromMinutes(1), (_, _, _) => Task.CompletedTask), CancellationToken.None))
            .Checkpoint.ToArray();
        flipped[flipped.Length / 2] ^= 0x40;
        var checkpoints = service.Get<CheckpointStore>();
        await checkpoints.WriteAsync(jobId, 1, "this is not a checkpoint, it is a hostile blob"u8.ToArray(), CancellationToken.None);
        await checkpoints.WriteAsync(jobId, 2, flipped, CancellationToken.None);

        var job = await JobAssertions.RunJobAsync(service, request, jobId);

        Assert.Equal(OrchestrationRuntimeStatus.Completed, job.RuntimeStatus);
        var manifest = await JobAssertions.AssertManifestMatchesImagesAsync(service, jobId, 1);
        Assert.Equal([1, 2], manifest.Failures.Select(f => f.Index));
        Assert.Contains("not a sampler checkpoint", manifest.Failures[0].Reason, StringComparison.Ordinal);
        Assert.Contains("checksum mismatch", manifest.Failures[1].Reason, StringComparison.Ordinal);
        Assert.Equal((1, 1), (attempts.ByImage[1], attempts.ByImage[2])); // invalid input: never retried
        Assert.Equal(2, job.ReadOutputAs<JobResult>()!.Failures.Count);
    }

    [Theory]
    [InlineData("transformer/model.onnx", Damage.Truncate)]
    [InlineData("vae_decoder/model.onnx", Damage.Garbage)]
    [InlineData("text_encoder/model.onnx", Damage.Delete)]
    [InlineData("text_encoder_2/model.onnx", Damage.Empty)]
    [InlineData("tokenizer/vocab.json", Damage.Truncate)]
    [InlineData("tokenizer_2/spiece.model", Damage.Garbage)]
    [InlineData("flux.json", Damage.Garbage)]
    public async Task DamagedModelFile_IsReportedNamingTheFile_AndTheHostKeepsRunning(string file, Damage damage)
    {
        string package = PackageCopy.Of(BuiltInPackages.EnsureBuilt("tiny"));
        try
        {
            string damaged = Path.Combine(package, file);
            Apply(damage, damaged);
            var capture = new LogCapture();
            var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["AzureWebJobsStorage"] = azurite.ConnectionString,
                ["Flux:ModelPath"] = package,
            });
            builder.Logging.AddProvider(capture).SetMinimumLevel(LogLevel.Trace);
            builder.Services.AddFluxService(builder.Configuration).AddFluxPipelineRenderer(builder.Configuration);
            using var host = builder.Build();

            await host.StartAsync();
            var lifetime = host.Services.GetRequiredService<IHostApplicationLifetime>();
            await WaitForAsync(() => capture.Lines.Any(l => l.EventId == 1106) || lifetime.ApplicationStopping.IsCancellationRequested);

            Assert.False(lifetime.ApplicationStopping.IsCancellationRequested, $"the damaged model stopped the host: {string.Join(" / ", capture.Lines.Where(l => l.Level >= LogLevel.Error).Select(l => l.Text))}");
            var logged = capture.Lines.Single(l => l.EventId == 1106);
            Assert.Equal(LogLevel.Critical, logged.Level);
            Assert.Contains(damaged, logged.Text, StringComparison.Ordinal);

            // First use (an activity resolved by the host) fails with the project's exception, naming the file.
            var error = Assert.Throws<FluxModelException>(() => host.Services.GetRequiredService<RenderActivities>());
            Assert.Equal(Path.GetFullPath(damaged), Path.GetFullPath(error.ModelFile!));
            Assert.Contains(damaged, error.Message, StringComparison.Ordinal);
            Assert.NotNull(host.Services.GetRequiredService<Storage.StorageClients>()); // the rest of the app still composes

            // The HTTP routes that need the model answer 503 with Retry-After, without the server path.
            var post = HttpCalls.Request("POST", "/api/generations", """{"items": [{"prompt": "a red circle"}]}""");
            var api = ActivatorUtilities.CreateInstance<Http.GenerationsApi>(host.Services);
            var started = await HttpCalls.ExecuteAsync(post, await api.StartAsync(post, null!, CancellationToken.None)); // refused before the client is used
            var models = HttpCalls.Request("GET", "/api/models");
            var listed = await HttpCalls.ExecuteAsync(models, ActivatorUtilities.CreateInstance<Http.ModelsApi>(host.Services).GetModels(models));
            Assert.All([started, listed], r => Assert.Equal((503, "application/problem+json", "60"), (r.StatusCode, r.ContentType?.Split(';')[0], r.Headers.RetryAfter.ToString())));
            Assert.DoesNotContain(package, HttpCalls.Json(started).ToString(), StringComparison.Ordinal);

            await host.StopAsync();
        }
        finally
        {
            Directory.Delete(package, recursive: true);
        }
    }

    public enum Damage
    {
        Truncate,
        Garbage,
        Delete,
        Empty,
    }

    private static void Apply(Damage damage, string path)
    {
        switch (damage)
        {
            case Damage.Truncate:
                using (var stream = new FileStream(path, FileMode.Open))
                {
                    stream.SetLength(stream.Length / 2);
                }

                break;
            case Damage.Garbage:
                File.WriteAllBytes(path, [.. Enumerable.Range(0, 4096).Select(i => (byte)((i * 131) + 7))]);
                break;
            case Damage.Delete:
                File.Delete(path);
                break;
            case Damage.Empty:
                File.WriteAllBytes(path, []);
                break;
        }
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + WarmUpTimeout;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the renderer's start-up never reported");
            await Task.Delay(50);
        }
    }
}
