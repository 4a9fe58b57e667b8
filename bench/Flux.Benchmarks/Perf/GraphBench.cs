using System.Globalization;
using Flux.ModelBuilder.Tiny;

namespace Flux.Benchmarks.Perf;

/// <summary>
/// `graph`: one transformer step of the plain graph (standard ONNX operators) against the fused graph
/// (ONNX Runtime's MultiHeadAttention, RotaryEmbedding, FastGelu, SimplifiedLayerNormalization), with a
/// FLUX-width MatMul timed in the same round-robin rounds as the practical FLOP/s ceiling (issue 16).
/// </summary>
internal static class GraphBench
{
    private const int MatMulRows = 1280;   // S at 512x512 with T = 256 (L = 1024)

    public static void Run(bool quick)
    {
        int rounds = quick ? 2 : 4;
        var cases = new (string Name, TinyFluxOptions Options, int Side)[]
        {
            ("width 1024, 8 heads, 2 + 4 blocks", new TinyFluxOptions { HiddenSize = 1024, HeadCount = 8, DoubleBlocks = 2, SingleBlocks = 4, T5Width = 1024 }, 512),
            ("flux-width (3072, 24 heads), 1 + 1 blocks", TinyFluxOptions.FluxWidth, 512),
        };
        Console.WriteLine($"Fastest of {rounds} round-robin rounds; the MatMul is ({MatMulRows} x hidden) x (hidden x 4·hidden), an MLP layer of the same width over S tokens.");
        Console.WriteLine();
        Console.WriteLine("| package | size | graph | GFLOP / step | ms / step | GFLOP/s | of MatMul | plain / this |");
        Console.WriteLine("| --- | --- | --- | ---: | ---: | ---: | ---: | ---: |");
        foreach (var (name, options, side) in quick ? cases[..1] : cases)
        {
            var graphs = new[] { TransformerGraph.Plain, TransformerGraph.Fused };
            var runs = new List<ITimedRun>();
            try
            {
                runs.AddRange(graphs.Select(graph => (ITimedRun)new TransformerStep(options with { Graph = graph }, side)));
                runs.Add(new MatMulReference(MatMulRows, options.HiddenSize, 4 * options.HiddenSize));
                double[] ms = RoundRobin.Fastest(runs, rounds);
                double matmul = runs[^1].Flops / (ms[^1] / 1000);
                for (int i = 0; i < graphs.Length; i++)
                {
                    double rate = runs[i].Flops / (ms[i] / 1000);
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"| {name} | {side}x{side} | {graphs[i].ToString().ToLowerInvariant()} | {runs[i].Flops / 1e9:0.00} | {ms[i]:0.0} | {rate / 1e9:0.0} | {rate / matmul:P0} | {ms[0] / ms[i]:0.00} |"));
                }

                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {name} | MatMul reference | | {runs[^1].Flops / 1e9:0.00} | {ms[^1]:0.0} | {matmul / 1e9:0.0} | 100 % | |"));
            }
            finally
            {
                runs.ForEach(r => r.Dispose());
            }
        }
    }
}
