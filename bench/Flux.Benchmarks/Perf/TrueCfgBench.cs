using System.Diagnostics;
using System.Globalization;
using Flux.Core;
using Flux.Inference;
using Flux.Inference.Sessions;
using Flux.Inference.Stages;
using Flux.ModelBuilder.Tiny;

namespace Flux.Benchmarks.Perf;

/// <summary>
/// `truecfg`: one velocity evaluation with true CFG (positive and negative conditioning as one batch of 2)
/// against a plain evaluation (batch of 1) and against diffusers' way (two separate transformer runs),
/// alternating in one process; fastest of several rounds each.
/// </summary>
internal static class TrueCfgBench
{
    public static void Run(bool quick, InferenceOptions options)
    {
        Console.WriteLine("| package | size | plain ms | true CFG (batch of 2) ms | two runs ms | true CFG / plain | two runs / plain |");
        Console.WriteLine("| --- | --- | ---: | ---: | ---: | ---: | ---: |");
        var cases = new (TinyFluxOptions Options, string Name, int Side)[]
        {
            (new TinyFluxOptions { Variant = FluxVariant.Dev }, "tiny-dev", 512),
            (new TinyFluxOptions { Variant = FluxVariant.Dev, HiddenSize = 1024, HeadCount = 8, DoubleBlocks = 2, SingleBlocks = 4, T5Width = 1024 }, "width 1024, 2 + 4", 512),
        };
        foreach (var (o, name, side) in quick ? cases[..1] : cases)
        {
            using var pipeline = FluxPipeline.Open(PerfPackages.Tiny(o), options);
            var size = ImageSize.Create(side, side);
            var positive = pipeline.EncodePrompt("a red circle on a blue background");
            var negative = pipeline.EncodePrompt("blurry");
            var io = pipeline.Package.Io.Transformer;
            using var lease = SessionCache.Shared.Acquire(io.ModelFile, options);
            float[] x = new float[size.PackedLength], v = new float[size.PackedLength];   // (1, L, 64)
            PhiloxNoise.Fill(1, 0, x);

            using var plain = new TransformerVelocityModel(lease.Session, io, positive, size, [3.5f], CancellationToken.None);
            using var negativeOnly = new TransformerVelocityModel(lease.Session, io, negative, size, [3.5f], CancellationToken.None);
            using var pair = new TransformerVelocityModel(lease.Session, io, TextConditioning.Concat([positive, negative]), size, [3.5f, 3.5f], CancellationToken.None);
            var guided = new TrueCfgVelocityModel(pair, 4f, x.Length);

            double plainMs = double.MaxValue, cfgMs = double.MaxValue, twoMs = double.MaxValue;
            for (int round = 0; round < (quick ? 3 : 6); round++)
            {
                plainMs = Math.Min(plainMs, Time(() => plain.Evaluate(x, 0.5f, v)));
                cfgMs = Math.Min(cfgMs, Time(() => guided.Evaluate(x, 0.5f, v)));
                twoMs = Math.Min(twoMs, Time(() =>
                {
                    plain.Evaluate(x, 0.5f, v);
                    negativeOnly.Evaluate(x, 0.5f, v);
                }));
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {name} | {side}x{side} | {plainMs:0.0} | {cfgMs:0.0} | {twoMs:0.0} | {cfgMs / plainMs:0.00} | {twoMs / plainMs:0.00} |"));
        }
    }

    private static double Time(Action action)
    {
        long start = Stopwatch.GetTimestamp();
        action();
        return Stopwatch.GetElapsedTime(start).TotalMilliseconds;
    }
}
