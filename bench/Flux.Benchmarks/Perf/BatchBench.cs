using System.Diagnostics;
using System.Globalization;
using Flux.Inference;
using Flux.Inference.Sessions;
using Flux.ModelBuilder.Tiny;

namespace Flux.Benchmarks.Perf;

/// <summary>
/// Batching prompts of the same size and steps into one call per stage (B images per transformer run)
/// against the same images generated one by one, alternating in one process; images are identical either
/// way (the pipeline tests check that), so only time differs.
/// </summary>
internal static class BatchBench
{
    public static void Run(bool quick, InferenceOptions options)
    {
        Console.WriteLine("| package | size | steps | batch | one by one ms | batched ms | batched / one by one |");
        Console.WriteLine("| --- | --- | ---: | ---: | ---: | ---: | ---: |");
        var cases = new (TinyFluxOptions Options, string Name, int Side)[]
        {
            (new TinyFluxOptions(), "tiny", 256),
            (new TinyFluxOptions(), "tiny", 512),
            (new TinyFluxOptions { HiddenSize = 1024, HeadCount = 8, DoubleBlocks = 1, SingleBlocks = 1, T5Width = 1024 }, "width 1024, 1 + 1", 256),
        };
        foreach (var (o, name, side) in cases)
        {
            using var pipeline = FluxPipeline.Open(PerfPackages.Tiny(o), options);
            foreach (int batch in quick ? new[] { 4 } : new[] { 2, 4 })
            {
                var items = Enumerable.Range(0, batch)
                    .Select(i => GenerationSettings.Defaults(pipeline.Package, $"prompt {i}") with { Width = side, Height = side, Seed = i })
                    .ToList();
                _ = pipeline.Generate(items);   // warm-up at this batch size
                _ = pipeline.Generate(items[0]);
                double single = double.MaxValue, batched = double.MaxValue;
                for (int r = 0; r < (quick ? 2 : 3); r++)
                {
                    single = Math.Min(single, Time(() => items.ForEach(s => pipeline.Generate(s))));
                    batched = Math.Min(batched, Time(() => pipeline.Generate(items)));
                }

                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {name} | {side}x{side} | {items[0].Steps} | {batch} | {single:0} | {batched:0} | {batched / single:0.00} |"));
            }
        }
    }

    private static double Time(Action action)
    {
        long start = Stopwatch.GetTimestamp();
        action();
        return Stopwatch.GetElapsedTime(start).TotalMilliseconds;
    }
}
