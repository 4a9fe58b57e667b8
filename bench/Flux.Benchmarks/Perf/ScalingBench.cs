using System.Globalization;
using Flux.ModelBuilder.Tiny;

namespace Flux.Benchmarks.Perf;

/// <summary>
/// Time per transformer step against image size (L) and width, FLOPs from <see cref="TransformerFlops"/>,
/// achieved FLOP/s next to a plain MatMul's FLOP/s timed in the same rounds, and the per-block cost at FLUX
/// width extrapolated to FLUX.1's 19 double + 38 single blocks. Each group's sessions are loaded together
/// and run round-robin (fastest of N per session), so load on the shared machine hits them alike.
/// </summary>
internal static class ScalingBench
{
    private const int MatMulRows = 512;   // S at 256x256 (L = 256, T = 256)
    private const int FluxHidden = 3072;

    public static void Run(bool quick)
    {
        int rounds = quick ? 3 : 5;
        Console.WriteLine($"Fastest of {rounds} round-robin rounds per group; the MatMul is ({MatMulRows} x {FluxHidden}) x ({FluxHidden} x {4 * FluxHidden}), a FLUX-width MLP layer over 512 tokens.");
        Console.WriteLine();
        Console.WriteLine("| group | model | hidden / heads | blocks (double + single) | size | L | S = L + T | GFLOP / step | ms / step | GFLOP/s | of MatMul |");
        Console.WriteLine("| --- | --- | --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |");

        var tiny = new TinyFluxOptions();
        Group("L", rounds, [("tiny", tiny, 256), ("tiny", tiny, 512), ("tiny", tiny, 1024)]);
        var mid = new TinyFluxOptions { HiddenSize = 1024, HeadCount = 8, DoubleBlocks = 1, SingleBlocks = 1, T5Width = 1024 };
        Group("width", rounds,
        [
            ("tiny", tiny, 256),
            ("width 256", new TinyFluxOptions { HiddenSize = 256, HeadCount = 4, DoubleBlocks = 1, SingleBlocks = 1, T5Width = 256 }, 256),
            ("width 1024", mid, 256),
            ("width 1024", mid, 512),
        ]);
        double[] flux = Group("FLUX width", rounds,
        [
            ("flux-width", PerfPackages.FluxWidth(1, 1), 256),
            ("flux-width", PerfPackages.FluxWidth(2, 1), 256),
            ("flux-width", PerfPackages.FluxWidth(1, 2), 256),
        ]);
        Extrapolate(flux, flux[3]);
    }

    /// <summary>Times the rows and the MatMul round-robin; prints the rows; returns their ms and, last, the MatMul's FLOP/s.</summary>
    private static double[] Group(string group, int rounds, (string Name, TinyFluxOptions Options, int Side)[] rows)
    {
        var runs = new List<ITimedRun>();
        try
        {
            runs.AddRange(rows.Select(r => (ITimedRun)new TransformerStep(r.Options, r.Side)));
            runs.Add(new MatMulReference(MatMulRows, FluxHidden, 4 * FluxHidden));
            double[] ms = RoundRobin.Fastest(runs, rounds);
            double matmul = runs[^1].Flops / (ms[^1] / 1000);
            for (int i = 0; i < rows.Length; i++)
            {
                var (name, o, side) = rows[i];
                long l = (long)side / 16 * (side / 16);
                double rate = runs[i].Flops / (ms[i] / 1000);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {group} | {name} | {o.HiddenSize} / {o.HeadCount} | {o.DoubleBlocks} + {o.SingleBlocks} | {side}x{side} | {l} | {l + o.TextLength} | {runs[i].Flops / 1e9:0.00} | {ms[i]:0.0} | {rate / 1e9:0.0} | {rate / matmul:P0} |"));
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {group} | MatMul | | | | | | {runs[^1].Flops / 1e9:0.00} | {ms[^1]:0.0} | **{matmul / 1e9:0.0}** | 100 % |"));
            return [.. ms[..^1], matmul];
        }
        finally
        {
            runs.ForEach(r => r.Dispose());
        }
    }

    /// <summary>
    /// Per-block cost at FLUX width, L = 256, two ways: differences of the 1+1, 2+1 and 1+2 packages (direct, but
    /// noisy on a shared machine), and block FLOPs at the three packages' mean FLOP/s (matrix products are ~90 % of
    /// a step in ONNX Runtime's profile, so time follows FLOPs); the latter is scaled to 19 + 38 blocks and 1024x1024.
    /// </summary>
    private static void Extrapolate(double[] ms, double matmul)
    {
        var one = PerfPackages.FluxWidth(1, 1);
        double[] flops = [TransformerFlops.PerStep(one, 256), TransformerFlops.PerStep(PerfPackages.FluxWidth(2, 1), 256), TransformerFlops.PerStep(PerfPackages.FluxWidth(1, 2), 256)];
        double rate = Enumerable.Range(0, 3).Average(i => flops[i] / (ms[i] / 1000));
        double doubleMs = TransformerFlops.DoubleBlock(one, 256) / rate * 1000, singleMs = TransformerFlops.SingleBlock(one, 256) / rate * 1000;
        var flux = TransformerFlops.Flux1(FluxVariant.Schnell);
        double flops256 = TransformerFlops.PerStep(flux, 256), flops4096 = TransformerFlops.PerStep(flux, 4096);
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"""
            Per block at width 3072, 256x256 (S = 512): by difference double {ms[1] - ms[0]:0} ms, single {ms[2] - ms[0]:0} ms; by FLOPs at the mean {rate / 1e9:0.0} GFLOP/s ({rate / matmul:P0} of MatMul) double {doubleMs:0} ms, single {singleMs:0} ms.
            FLUX.1 schnell transformer (19 + 38 blocks): 256x256 {flops256 / 1e12:0.00} TFLOP/step -> {flops256 / rate:0.0} s/step here; 1024x1024 (S = 4352) {flops4096 / 1e12:0.00} TFLOP/step -> {flops4096 / rate:0} s/step, {4 * flops4096 / rate / 60:0.0} min for 4 steps (transformer only, fp32, this CPU).
            """));
    }
}
