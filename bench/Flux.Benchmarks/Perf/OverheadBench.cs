using System.Diagnostics;
using System.Globalization;
using Flux.Core;
using Flux.Inference;
using Flux.Inference.Sessions;
using Flux.Inference.Text;
using Flux.ModelBuilder.Tiny;

namespace Flux.Benchmarks.Perf;

/// <summary>
/// Pipeline overhead = end-to-end time / sum of the raw session runs inside it, for FluxPipeline.Generate
/// and for <see cref="MinimalLoop"/> (the floor) on the same sessions, alternating in one process.
/// </summary>
internal static class OverheadBench
{
    private const string Prompt = "a red circle on a blue background";

    public sealed record Case(FluxVariant Variant, int Side, int Steps, int Repetitions);

    public static IReadOnlyList<Case> DefaultCases(bool quick) =>
    [
        new(FluxVariant.Schnell, 256, 4, quick ? 3 : 7),
        new(FluxVariant.Schnell, 512, 4, quick ? 3 : 7),
        new(FluxVariant.Schnell, 1024, 4, quick ? 2 : 3),
        new(FluxVariant.Dev, 256, 28, quick ? 2 : 3),
        new(FluxVariant.Dev, 512, 28, quick ? 1 : 2),
        new(FluxVariant.Dev, 1024, 28, 1),
    ];

    /// <summary>Runs every case for every option set (interleaved per repetition, so machine load hits them alike).</summary>
    public static void Run(IReadOnlyList<Case> cases, IReadOnlyList<(string Label, InferenceOptions Options)> optionSets)
    {
        Console.WriteLine("| variant | size | steps | reps | sessions | pipeline ms | its runs ms | **pipeline ratio** | PNG ms | ratio with PNG | floor ms | its runs ms | **floor ratio** | pipeline / floor |");
        Console.WriteLine("| --- | --- | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        var breakdowns = new List<Action>();
        foreach (var group in cases.GroupBy(c => c.Variant))
        {
            string dir = PerfPackages.Tiny(new TinyFluxOptions { Variant = group.Key });
            var pipelines = optionSets.Select(set => FluxPipeline.Open(dir, set.Options)).ToList();
            var package = pipelines[0].Package;
            var clip = ClipTokenizer.FromFiles(package.Files.ClipVocab, package.Files.ClipMerges);
            var t5 = T5Tokenizer.FromFile(package.Files.T5SentencePiece, package.T5MaxLength);
            foreach (var c in group)
            {
                var settings = GenerationSettings.Defaults(package, Prompt) with { Width = c.Side, Height = c.Side, Steps = c.Steps };
                var floors = optionSets.Select(set => new MinimalLoop(set.Options, package, ImageSize.Create(c.Side, c.Side), c.Steps, clip.Encode(Prompt), t5.Encode(Prompt), settings.Guidance)).ToList();
                var pipelineRuns = optionSets.Select(_ => new List<(double EndToEnd, double Runs, double Png)>()).ToList();
                var floorRuns = optionSets.Select(_ => new List<(double EndToEnd, double Runs)>()).ToList();
                for (int s = 0; s < optionSets.Count; s++)
                {
                    _ = MeasurePipeline(pipelines[s], settings with { Steps = 1 });   // warm-up: sessions loaded, shapes planned, code jitted
                    floors[s].Run(1);
                }

                for (int r = 0; r < c.Repetitions; r++)
                {
                    for (int s = 0; s < optionSets.Count; s++)
                    {
                        pipelineRuns[s].Add(MeasurePipeline(pipelines[s], settings));
                        int set = s;
                        floorRuns[s].Add(Measure(() => floors[set].Run(1)));
                    }
                }

                for (int s = 0; s < optionSets.Count; s++)
                {
                    var p = Median(pipelineRuns[s], x => x.EndToEnd / x.Runs);
                    var f = Median(floorRuns[s], x => x.EndToEnd / x.Runs);
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"| {c.Variant.ToString().ToLowerInvariant()} | {c.Side}x{c.Side} | {c.Steps} | {c.Repetitions} | {optionSets[s].Label} | {p.EndToEnd:0} | {p.Runs:0} | **{p.EndToEnd / p.Runs:0.000}** | {p.Png:0.0} | {(p.EndToEnd + p.Png) / p.Runs:0.000} | {f.EndToEnd:0} | {f.Runs:0} | **{f.EndToEnd / f.Runs:0.000}** | {p.EndToEnd / f.EndToEnd:0.000} |"));
                    var (pipeline, stageSettings, label) = (pipelines[s], settings, optionSets[s].Label);
                    breakdowns.Add(() => StageBreakdown.Row(pipeline, stageSettings, label));
                    floors[s].Dispose();
                }
            }

            Console.WriteLine();
            StageBreakdown.Header();
            breakdowns.ForEach(b => b());
            breakdowns.Clear();
            Console.WriteLine();
            pipelines.ForEach(p => p.Dispose());
        }
    }

    private static (double EndToEnd, double Runs, double Png) MeasurePipeline(FluxPipeline pipeline, GenerationSettings settings)
    {
        GeneratedImage? image = null;
        var (endToEnd, runs) = Measure(() => image = pipeline.Generate(settings));
        long start = Stopwatch.GetTimestamp();
        _ = image!.Png;
        double png = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        image.Dispose();   // the pixel buffer goes back to the pipeline, as a caller that is done with the image does
        return (endToEnd, runs, png);
    }

    /// <summary>(end-to-end ms, ms inside session runs) of one call.</summary>
    public static (double EndToEnd, double Runs) Measure(Action action)
    {
        RunStatistics.Global.Reset();
        long start = Stopwatch.GetTimestamp();
        action();
        double endToEnd = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        return (endToEnd, RunStatistics.Global.Elapsed.TotalMilliseconds);
    }

    private static T Median<T>(List<T> values, Func<T, double> key) => values.OrderBy(key).ElementAt(values.Count / 2);
}
