using System.Diagnostics;
using System.Globalization;
using Flux.Core;
using Flux.Functions;
using Flux.Functions.Jobs;
using Flux.Functions.Rendering;
using Flux.Functions.Storage;
using Flux.Functions.Tests.Hosting;
using Flux.Inference;
using Flux.Inference.Sessions;
using Flux.ModelBuilder;
using Flux.ServiceBench;

// dotnet run -c Release --project bench/Flux.ServiceBench [-- images-per-job runs]
// dotnet run -c Release --project bench/Flux.ServiceBench -- throughput [images distinct-prompts]
if (args is ["throughput", ..])
{
    await using var throughputAzurite = await AzuriteProcess.StartAsync();
    await Throughput.RunAsync(throughputAzurite,
        args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 100,
        args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 20);
    return;
}

int images = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 24;
int runs = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 5;
const int CheckpointRoundTrips = 50;
const int TinySide = 64;
const int TinySteps = 4;
const int TinyImages = 6;

await using var azurite = await AzuriteProcess.StartAsync();
Console.WriteLine($"Azurite on 127.0.0.1; {Environment.ProcessorCount} cores; .NET {Environment.Version}");

// 1. Checkpoint write + read of a 1024x1024 image's latent: (1, 4096, 64) floats = 1 MiB.
await using (var service = await FluxTestService.StartAsync(azurite.ConnectionString, new NoOpRenderer()))
{
    var size = ImageSize.Create(1024, 1024);
    var latents = new float[size.PackedLength];
    PhiloxNoise.Fill(7, 0, latents);
    var checkpoint = new SamplerCheckpoint([1, size.SequenceLength, FluxConstants.PackedChannels], 10, 28, 42UL, latents);
    using var buffer = new MemoryStream();
    checkpoint.WriteTo(buffer);
    byte[] bytes = buffer.ToArray();
    var store = service.Get<CheckpointStore>();
    var times = new List<double>();
    for (int i = -5; i < CheckpointRoundTrips; i++)
    {
        long start = Stopwatch.GetTimestamp();
        await store.WriteAsync("bench", 0, bytes, CancellationToken.None);
        byte[] back = (await store.ReadAsync("bench", 0, CancellationToken.None))!;
        var restored = SamplerCheckpoint.ReadFrom(new MemoryStream(back));
        double ms = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        if (restored.Latents.Length != latents.Length)
        {
            throw new InvalidOperationException("checkpoint did not round-trip");
        }

        if (i >= 0)
        {
            times.Add(ms); // the first five are warm-up
        }
    }

    Console.WriteLine($"checkpoint round trip ({bytes.Length:N0} bytes, write + read + parse), {CheckpointRoundTrips} runs: " +
                      $"median {Median(times):F1} ms, p90 {Percentile(times, 0.9):F1} ms, min {times.Min():F1} ms");
}

// 2. Orchestration overhead per image: no-op renderer, so the job's wall time is the service's own cost.
foreach (int parallel in new[] { 1, 4 })
{
    await using var service = await FluxTestService.StartAsync(azurite.ConnectionString, new NoOpRenderer(),
        new Dictionary<string, string?> { ["Flux:MaxParallelImages"] = $"{parallel}" });
    await RunJobAsync(service, 4, "warmup", 64, 4); // first job pays for JIT and container creation
    var perImage = new List<double>();
    for (int run = 0; run < runs; run++)
    {
        perImage.Add((await RunJobAsync(service, images, $"noop-{parallel}-{run}", 64, 4)).TotalMilliseconds / images);
    }

    Console.WriteLine($"no-op renderer, MaxParallelImages={parallel}, {images} images x {runs} jobs: " +
                      $"median {Median(perImage):F1} ms per image (min {perImage.Min():F1}, max {perImage.Max():F1})");
}

// 3. Tiny model, MaxParallelImages = 1: job wall time / time spent in the renderer.
{
    var inference = new InferenceOptions { ExecutionProvider = ExecutionProviderKind.Cpu };
    using var tiny = new FluxPipelineRenderer(FluxPipeline.Open(BuiltInPackages.EnsureBuilt("tiny"), inference), 2);
    var timing = new TimingRenderer(tiny);
    await using var service = await FluxTestService.StartAsync(azurite.ConnectionString, timing,
        new Dictionary<string, string?> { ["Flux:MaxParallelImages"] = "1" });
    await RunJobAsync(service, 1, "tiny-warmup", TinySide, TinySteps);
    var ratios = new List<double>();
    var walls = new List<double>();
    var renders = new List<double>();
    for (int run = 0; run < runs; run++)
    {
        timing.Reset();
        var wall = await RunJobAsync(service, TinyImages, $"tiny-{run}", TinySide, TinySteps);
        ratios.Add(wall / timing.Total);
        walls.Add(wall.TotalMilliseconds);
        renders.Add(timing.Total.TotalMilliseconds);
    }

    Console.WriteLine($"tiny model {TinySide}x{TinySide}, {TinySteps} steps, {TinyImages} images, MaxParallelImages=1, {runs} jobs: " +
                      $"wall / renderer time median {Median(ratios):F2} (wall {Median(walls):F0} ms, renderer {Median(renders):F0} ms)");
}

static async Task<TimeSpan> RunJobAsync(FluxTestService service, int count, string name, int side, int steps)
{
    string jobId = $"{name}-{Guid.NewGuid():N}";
    var request = new JobRequest(
        [.. Enumerable.Range(0, count).Select(i => new JobItemRequest($"prompt {i % 3} of {name}"))],
        Defaults: new JobItemRequest(Width: side, Height: side, Steps: steps),
        Notify: new NotifySpec(Events: true));
    var starter = service.Get<JobStarter>();
    var job = (await starter.ValidateAsync(request, jobId, CancellationToken.None)).Job ?? throw new InvalidOperationException("invalid bench job");
    long start = Stopwatch.GetTimestamp();
    await starter.StartAsync(service.Client, job, JobSource.Http, CancellationToken.None);
    var done = await service.WaitAsync(jobId, TimeSpan.FromMinutes(10));
    var elapsed = Stopwatch.GetElapsedTime(start);
    if (done.RuntimeStatus != Microsoft.DurableTask.Client.OrchestrationRuntimeStatus.Completed)
    {
        throw new InvalidOperationException($"bench job {jobId} ended {done.RuntimeStatus}");
    }

    return elapsed;
}

static double Median(List<double> values) => Percentile(values, 0.5);

static double Percentile(List<double> values, double p)
{
    var sorted = values.Order().ToList();
    return sorted[(int)Math.Round(p * (sorted.Count - 1))];
}
