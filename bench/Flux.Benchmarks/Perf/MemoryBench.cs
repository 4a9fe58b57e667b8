using System.Globalization;
using Flux.Core;
using Flux.Inference;
using Flux.Inference.Packages;
using Flux.Inference.Sessions;
using Flux.Inference.Stages;
using Flux.ModelBuilder.Tiny;

namespace Flux.Benchmarks.Perf;

/// <summary>
/// Peak resident memory (native + managed, VmHWM - VmRSS before) and managed bytes allocated per stage, for
/// the resident and the sequential memory modes, each with its own session cache so nothing is shared.
/// </summary>
internal static class MemoryBench
{
    public static void Run(bool quick, int images = 2)
    {
        Console.WriteLine("| package | size | mode | stage | ms | peak RSS above start of stage MB | RSS kept after stage MB | RSS MB | managed allocated MB | managed heap after MB |");
        Console.WriteLine("| --- | --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |");
        var packages = quick
            ? new[] { ("tiny", new TinyFluxOptions(), 1024) }
            : new[] { ("tiny", new TinyFluxOptions(), 1024), ("flux-width 1+1", PerfPackages.FluxWidth(1, 1), 256) };
        foreach (var (name, o, side) in packages)
        {
            string dir = PerfPackages.Tiny(o);
            foreach (var mode in new[] { MemoryMode.Resident, MemoryMode.Sequential })
            {
                RunMode(name, side, dir, mode, images);
            }
        }
    }

    /// <summary>One mode with its own session cache; a separate method so nothing of it stays reachable for the next mode.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static void RunMode(string name, int side, string dir, MemoryMode mode, int images)
    {
        // Twice or more: the first image pays session loading (resident) and arena growth; later ones are the steady state.
        var cache = new SessionCache();
        var options = new InferenceOptions { ExecutionProvider = ExecutionProviderKind.Cpu, MemoryMode = mode };
        FluxPipeline? pipeline = null;
        Stage(name, side, mode, "open package", () => pipeline = new FluxPipeline(ModelPackage.Open(dir, options, cache), options, null, cache));
        for (int image = 1; image <= images; image++)
        {
            var settings = GenerationSettings.Defaults(pipeline!.Package, "a red circle") with { Width = side, Height = side, Steps = 2 };
            TextConditioning? conditioning = null;
            SamplerCheckpoint? result = null;
            Stage(name, side, mode, $"image {image}: encode", () => conditioning = pipeline.EncodePrompt(settings.Prompt));
            Stage(name, side, mode, $"image {image}: denoise (2 steps)", () => result = pipeline.DenoiseAsync(new DenoiseRequest(conditioning!, settings)).GetAwaiter().GetResult());
            Stage(name, side, mode, $"image {image}: decode + PNG", () => pipeline.DecodeToPng(result!, settings));
        }

        // Resident sessions stay in their cache for the life of the cache (the process, in the app); dropping
        // the cache lets the finalizers free them, which the next mode's first stage (GC first) shows.
        Stage(name, side, mode, "dispose", () => pipeline!.Dispose());
    }

    private static void Stage(string package, int side, MemoryMode mode, string stage, Action action)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        long before = ProcessMemory.ResidentBytes;
        long allocated = GC.GetTotalAllocatedBytes(precise: true);
        ProcessMemory.ResetPeak();
        long start = System.Diagnostics.Stopwatch.GetTimestamp();
        action();
        double ms = System.Diagnostics.Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        long peak = ProcessMemory.PeakResidentBytes;
        long allocatedDelta = GC.GetTotalAllocatedBytes(precise: true) - allocated;
        long heap = GC.GetTotalMemory(forceFullCollection: false);
        long after = ProcessMemory.ResidentBytes;
        const double Mb = 1024 * 1024;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {package} | {side}x{side} | {mode.ToString().ToLowerInvariant()} | {stage} | {ms:0} | {(peak - before) / Mb:0} | {(after - before) / Mb:0} | {after / Mb:0} | {allocatedDelta / Mb:0.0} | {heap / Mb:0.0} |"));
    }
}
