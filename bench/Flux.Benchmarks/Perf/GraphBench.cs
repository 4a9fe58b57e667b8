using System.Globalization;
using Flux.ModelBuilder.Onnx.Int4;
using Flux.ModelBuilder.Tiny;

namespace Flux.Benchmarks.Perf;

/// <summary>
/// `graph`: one transformer step of the plain graph (standard ONNX operators) against the fused graph
/// (ONNX Runtime's MultiHeadAttention, RotaryEmbedding, FastGelu, SimplifiedLayerNormalization), with a
/// FLUX-width MatMul timed in the same round-robin rounds as the practical FLOP/s ceiling (issue 16); and the fused
/// graph with int4 block linears (MatMulNBits, block 32; accuracy level 0 computes in fp32, 4 lets the CPU kernel
/// quantize activations to int8), with each package's transformer weight bytes and the resident memory its session adds.
/// On the 1024-wide package the fused graph also runs with ONNX Runtime's CPU flash attention switched off
/// (ORT_DISABLE_FLASH_ATTENTION=1, which MultiHeadAttention reads when its session is created): per-head GEMMs and
/// a softmax instead of MLAS's L2-blocked flash kernel, to show which attention path suits this CPU.
/// </summary>
internal static class GraphBench
{
    private const int MatMulRows = 1280;   // S at 512x512 with T = 256 (L = 1024)
    private const string DisableFlashAttention = "ORT_DISABLE_FLASH_ATTENTION";

    public static void Run(bool quick, int? roundCount = null)
    {
        int rounds = roundCount ?? (quick ? 2 : 4);
        var cases = new (string Name, TinyFluxOptions Options, int Side)[]
        {
            ("width 1024, 8 heads, 2 + 4 blocks", new TinyFluxOptions { HiddenSize = 1024, HeadCount = 8, DoubleBlocks = 2, SingleBlocks = 4, T5Width = 1024 }, 512),
            ("flux-width (3072, 24 heads), 1 + 1 blocks", TinyFluxOptions.FluxWidth, 512),
        };
        Console.WriteLine($"Fastest of {rounds} round-robin rounds; the MatMul is ({MatMulRows} x hidden) x (hidden x 4·hidden), an MLP layer of the same width over S tokens.");
        Console.WriteLine("CPU ms: the least process CPU time of a run (both intra-op threads); on a shared host its ratios hold when wall times swing with the load.");
        Console.WriteLine();
        Console.WriteLine("| package | size | graph | GFLOP / step | ms / step | GFLOP/s | of MatMul | plain / this | CPU ms | of MatMul (CPU) | plain / this (CPU) | weights MB | session RSS MB |");
        Console.WriteLine("| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var (name, options, side) in quick ? cases[..1] : cases)
        {
            var graphs = new List<(string Name, TinyFluxOptions Options, bool FlashAttentionOff)>
            {
                ("plain", options with { Graph = TransformerGraph.Plain }, false),
                ("fused", options with { Graph = TransformerGraph.Fused }, false),
                ("fused + int4 (block 32)", options with { Graph = TransformerGraph.Fused, Int4 = new Int4Quantization { BlockSize = 32 } }, false),
                ("fused + int4 (block 32, accuracy 4)", options with { Graph = TransformerGraph.Fused, Int4 = new Int4Quantization { BlockSize = 32, AccuracyLevel = 4 } }, false),
            };
            if (options.HiddenSize < TinyFluxOptions.FluxWidth.HiddenSize)
            {
                graphs.Add(("fused, CPU flash attention off", options with { Graph = TransformerGraph.Fused }, true));
            }

            var runs = new List<ITimedRun>();
            var sessionBytes = new List<long>();
            try
            {
                foreach (var (_, graphOptions, flashAttentionOff) in graphs)
                {
                    PerfPackages.Tiny(graphOptions);   // build before measuring memory
                    GC.Collect();
                    long before = ProcessMemory.ResidentBytes;
                    NativeEnvironment.Set(DisableFlashAttention, flashAttentionOff ? "1" : "0");
                    runs.Add(new TransformerStep(graphOptions, side));
                    NativeEnvironment.Set(DisableFlashAttention, "0");
                    sessionBytes.Add(ProcessMemory.ResidentBytes - before);
                }

                runs.Add(new MatMulReference(MatMulRows, options.HiddenSize, 4 * options.HiddenSize));
                var (ms, cpu) = RoundRobin.FastestWithCpu(runs, rounds);
                double matmul = runs[^1].Flops / (ms[^1] / 1000), matmulCpu = runs[^1].Flops / cpu[^1];
                for (int i = 0; i < graphs.Count; i++)
                {
                    double rate = runs[i].Flops / (ms[i] / 1000);
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"| {name} | {side}x{side} | {graphs[i].Name} | {runs[i].Flops / 1e9:0.00} | {ms[i]:0.0} | {rate / 1e9:0.0} | {rate / matmul:P0} | {ms[0] / ms[i]:0.00} | {cpu[i]:0.0} | {runs[i].Flops / cpu[i] / matmulCpu:P0} | {cpu[0] / cpu[i]:0.00} | {PerfPackages.Transformer(graphs[i].Options).WeightBytes / 1e6:0.0} | {sessionBytes[i] / 1e6:0} |"));
                }

                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {name} | MatMul reference | | {runs[^1].Flops / 1e9:0.00} | {ms[^1]:0.0} | {matmul / 1e9:0.0} | 100 % | | {cpu[^1]:0.0} | 100 % | | | |"));
            }
            finally
            {
                runs.ForEach(r => r.Dispose());
            }
        }
    }
}
