using System.Diagnostics;
using System.Globalization;
using Flux.Functions.Jobs;
using Flux.Functions.Rendering;
using Flux.Functions.Tests.Hosting;
using Flux.Inference;
using Flux.Inference.Sessions;
using Flux.ModelBuilder;

namespace Flux.ServiceBench;

/// <summary>
/// `dotnet run -c Release --project bench/Flux.ServiceBench -- throughput [images] [distinct]`: one job of
/// <c>images</c> prompts drawn from <c>distinct</c> texts (each repeated), on the tiny model at 64x64,
/// 4 steps, with MaxParallelImages 1 and 2. Reports images per second and the conditioning cache's hit
/// rate: 1 - (text-encoder runs / images); the ideal is 1 - distinct / images.
/// </summary>
internal static class Throughput
{
    private const int Side = 64;
    private const int Steps = 4;

    public static async Task RunAsync(AzuriteProcess azurite, int images, int distinct)
    {
        var inference = new InferenceOptions { ExecutionProvider = ExecutionProviderKind.Cpu };
        using var tiny = new FluxPipelineRenderer(FluxPipeline.Open(BuiltInPackages.EnsureBuilt("tiny"), inference), 2);
        Console.WriteLine($"| MaxParallelImages | images | distinct prompts | wall s | images / s | encoder runs | cache hit rate (ideal {1 - ((double)distinct / images):P0}) |");
        Console.WriteLine("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (int parallel in new[] { 1, 2 })
        {
            var counting = new CountingRenderer(tiny);
            await using var service = await FluxTestService.StartAsync(azurite.ConnectionString, counting,
                new Dictionary<string, string?> { ["Flux:MaxParallelImages"] = $"{parallel}" });
            await RunJobAsync(service, 2, 1, $"warmup-{parallel}");
            counting.Reset();
            double seconds = await RunJobAsync(service, images, distinct, $"throughput-{parallel}");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {parallel} | {images} | {distinct} | {seconds:0.0} | {images / seconds:0.00} | {counting.Encodes} | {1 - ((double)counting.Encodes / images):P0} |"));
        }
    }

    /// <summary>Runs one job whose prompts cycle through <paramref name="distinct"/> texts; returns its wall time in seconds.</summary>
    private static async Task<double> RunJobAsync(FluxTestService service, int count, int distinct, string name)
    {
        string jobId = $"{name}-{Guid.NewGuid():N}";
        var request = new JobRequest(
            [.. Enumerable.Range(0, count).Select(i => new JobItemRequest($"prompt {i % distinct} of {name}"))],
            Defaults: new JobItemRequest(Width: Side, Height: Side, Steps: Steps));
        var starter = service.Get<JobStarter>();
        var job = (await starter.ValidateAsync(request, jobId, CancellationToken.None)).Job ?? throw new InvalidOperationException("invalid bench job");
        long start = Stopwatch.GetTimestamp();
        await starter.StartAsync(service.Client, job, JobSource.Http, CancellationToken.None);
        var done = await service.WaitAsync(jobId, TimeSpan.FromMinutes(20));
        double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        return done.RuntimeStatus == Microsoft.DurableTask.Client.OrchestrationRuntimeStatus.Completed
            ? seconds
            : throw new InvalidOperationException($"bench job {jobId} ended {done.RuntimeStatus}");
    }

    /// <summary>Counts text-encoder runs (cache misses reach the renderer; hits are served from blob storage).</summary>
    private sealed class CountingRenderer(IImageRenderer inner) : IImageRenderer
    {
        private int _encodes;

        public int Encodes => Volatile.Read(ref _encodes);

        public string ModelId => inner.ModelId;

        public ModelDefaults Defaults => inner.Defaults;

        public void Reset() => Interlocked.Exchange(ref _encodes, 0);

        public Task<byte[]> EncodePromptAsync(GenerationSettings spec, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _encodes);
            return inner.EncodePromptAsync(spec, cancellationToken);
        }

        public Task<DenoiseChunk> DenoiseAsync(DenoiseChunkRequest request, CancellationToken cancellationToken)
            => inner.DenoiseAsync(request, cancellationToken);

        public Task<byte[]> DecodeAsync(GenerationSettings spec, ReadOnlyMemory<byte> finalCheckpoint, CancellationToken cancellationToken)
            => inner.DecodeAsync(spec, finalCheckpoint, cancellationToken);
    }
}
