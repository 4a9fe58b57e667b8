using System.Globalization;
using Flux.ModelBuilder.Tiny;

namespace Flux.Benchmarks.Perf;

/// <summary>
/// Time per transformer step against image size (L) and width, FLOPs from <see cref="TransformerFlops"/>,
/// achieved FLOP/s next to a plain MatMul's FLOP/s in the same run, and the per-block cost at FLUX width
/// extrapolated to FLUX.1's 19 double + 38 single blocks.
/// </summary>
internal static class ScalingBench
{
    private const int MatMulRows = 512;   // S at 256x256 (L = 256, T = 256)
    private const int FluxHidden = 3072;

    public static void Run(bool quick)
    {
        int reps = quick ? 2 : 3;
        var (mmFlops, mmMs) = MatMulReference.Measure(MatMulRows, FluxHidden, 4 * FluxHidden, reps + 2);
        double matmul = mmFlops / (mmMs / 1000);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"MatMul ({MatMulRows} x {FluxHidden}) x ({FluxHidden} x {4 * FluxHidden}): {mmFlops / 1e9:0.0} GFLOP in {mmMs:0} ms = **{matmul / 1e9:0.0} GFLOP/s** (fastest of {reps + 2})"));
        Console.WriteLine();
        Console.WriteLine("| model | hidden / heads | blocks (double + single) | size | L | S = L + T | GFLOP / step | ms / step | GFLOP/s | of MatMul |");
        Console.WriteLine("| --- | --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |");

        var tiny = new TinyFluxOptions();
        foreach (int side in new[] { 256, 512, 1024 })
        {
            Row("tiny", tiny, side, reps, matmul);
        }

        var mid = new TinyFluxOptions { HiddenSize = 1024, HeadCount = 8, DoubleBlocks = 1, SingleBlocks = 1, T5Width = 1024 };
        foreach (int side in quick ? new[] { 256, 512 } : new[] { 256, 512, 1024 })
        {
            Row("width 1024", mid, side, reps, matmul);
        }

        Row("width 256", new TinyFluxOptions { HiddenSize = 256, HeadCount = 4, DoubleBlocks = 1, SingleBlocks = 1, T5Width = 256 }, 256, reps, matmul);
        double a = Row("flux-width", PerfPackages.FluxWidth(1, 1), 256, reps, matmul);
        double b = Row("flux-width", PerfPackages.FluxWidth(2, 1), 256, reps, matmul);
        double c = Row("flux-width", PerfPackages.FluxWidth(1, 2), 256, reps, matmul);
        Extrapolate(a, b - a, c - a, matmul);
    }

    /// <summary>Prints one row; returns ms per step.</summary>
    private static double Row(string name, TinyFluxOptions o, int side, int reps, double matmul)
    {
        long l = (long)side / 16 * (side / 16);
        double ms = TransformerStep.Milliseconds(o, side, reps);
        double flops = TransformerFlops.PerStep(o, l);
        double rate = flops / (ms / 1000);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {name} | {o.HiddenSize} / {o.HeadCount} | {o.DoubleBlocks} + {o.SingleBlocks} | {side}x{side} | {l} | {l + o.TextLength} | {flops / 1e9:0.00} | {ms:0.0} | {rate / 1e9:0.0} | {rate / matmul:P0} |"));
        return ms;
    }

    /// <summary>Per-block times at FLUX width, L = 256 (from the 1+1, 2+1 and 1+2 packages), scaled to 19 + 38 blocks and by FLOPs to 1024x1024.</summary>
    private static void Extrapolate(double oneEach, double doubleBlock, double singleBlock, double matmul)
    {
        double rest = oneEach - doubleBlock - singleBlock;
        double full256 = rest + (19 * doubleBlock) + (38 * singleBlock);
        var flux = TransformerFlops.Flux1(FluxVariant.Schnell);
        double flops256 = TransformerFlops.PerStep(flux, 256), flops4096 = TransformerFlops.PerStep(flux, 4096);
        double full1024 = full256 * flops4096 / flops256;
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"""
            Per block at width 3072, 256x256 (S = 512): double {doubleBlock:0} ms, single {singleBlock:0} ms, embedders + final layer {rest:0} ms.
            FLUX.1 schnell transformer (19 + 38 blocks) at 256x256: {flops256 / 1e12:0.00} TFLOP/step, extrapolated {full256 / 1000:0.0} s/step ({flops256 / (full256 / 1000) / 1e9:0.0} GFLOP/s, {flops256 / (full256 / 1000) / matmul:P0} of MatMul).
            At 1024x1024 (S = 4352): {flops4096 / 1e12:0.00} TFLOP/step; at the same FLOP/s {full1024 / 1000:0} s/step, {4 * full1024 / 1000 / 60:0.0} min for 4 steps (transformer only).
            """));
    }
}
