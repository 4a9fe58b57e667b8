using System.Diagnostics;
using System.Globalization;
using Flux.ModelBuilder.Tiny;
using Microsoft.ML.OnnxRuntime;

namespace Flux.Benchmarks.Perf;

/// <summary>
/// Session creation time (cold start, and the price of sequential mode) by graph optimisation level, and
/// loading a model saved already optimised (SessionOptions.OptimizedModelFilePath) with optimisation off.
/// </summary>
internal static class LoadBench
{
    public static void Run()
    {
        Console.WriteLine("| model file | MB | level | create ms (fastest of 3) |");
        Console.WriteLine("| --- | ---: | --- | ---: |");
        foreach (var (name, o) in new[] { ("tiny transformer", new TinyFluxOptions()), ("width 1024 transformer", new TinyFluxOptions { HiddenSize = 1024, HeadCount = 8, DoubleBlocks = 1, SingleBlocks = 1, T5Width = 1024 }) })
        {
            string model = Path.Combine(PerfPackages.Tiny(o), "transformer", "model.onnx");
            double mb = Directory.GetFiles(Path.GetDirectoryName(model)!).Sum(f => new FileInfo(f).Length) / 1048576.0;
            string optimized = Path.Combine(Path.GetTempPath(), $"flux-optimized-{Guid.NewGuid():N}.onnx");
            try
            {
                Row(name, mb, "ORT_ENABLE_ALL (pipeline)", () => Create(model, GraphOptimizationLevel.ORT_ENABLE_ALL, null));
                Row(name, mb, "ORT_ENABLE_BASIC", () => Create(model, GraphOptimizationLevel.ORT_ENABLE_BASIC, null));
                Row(name, mb, "ORT_DISABLE_ALL", () => Create(model, GraphOptimizationLevel.ORT_DISABLE_ALL, null));
                Create(model, GraphOptimizationLevel.ORT_ENABLE_ALL, optimized);
                Row(name, mb, "saved optimised, ORT_DISABLE_ALL", () => Create(optimized, GraphOptimizationLevel.ORT_DISABLE_ALL, null));
            }
            finally
            {
                File.Delete(optimized);
            }
        }
    }

    private static void Row(string name, double mb, string level, Action create)
    {
        double best = double.MaxValue;
        for (int i = 0; i < 3; i++)
        {
            long start = Stopwatch.GetTimestamp();
            create();
            best = Math.Min(best, Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {name} | {mb:0} | {level} | {best:0} |"));
    }

    private static void Create(string model, GraphOptimizationLevel level, string? saveTo)
    {
        using var options = new SessionOptions { GraphOptimizationLevel = level };
        if (saveTo is not null)
        {
            options.OptimizedModelFilePath = saveTo;
        }

        using var session = new InferenceSession(model, options);
    }
}
