using System.Globalization;
using Flux.ModelBuilder;
using Flux.ModelBuilder.Packages;
using Flux.ModelBuilder.Tiny;

namespace Flux.Benchmarks.Perf;

/// <summary>Tiny packages at benchmark sizes, built once into the per-user cache (perf/ folder) and reused.</summary>
internal static class PerfPackages
{
    public static string Tiny(TinyFluxOptions options)
    {
        string key = string.Create(CultureInfo.InvariantCulture,
            $"{options.Variant}-h{options.HiddenSize}-n{options.HeadCount}-d{options.DoubleBlocks}-s{options.SingleBlocks}-t{options.T5Width}-{options.Graph}{Int4Key(options)}-v{BuiltInPackages.FormatVersion}").ToLowerInvariant();
        string target = Path.Combine(BuiltInPackages.DefaultCacheRoot(), "perf", key);
        if (!Directory.Exists(target))
        {
            Console.Error.WriteLine($"building {key} ...");
            PackageDirectory.WriteAtomically(target, dir => TinyPackage.Write(dir, options), replace: false);
        }

        return target;
    }

    /// <summary>Path of the transformer graph and the bytes of its weights (model.onnx and its external data).</summary>
    public static (string Path, long WeightBytes) Transformer(TinyFluxOptions options)
    {
        string dir = Path.Combine(Tiny(options), "transformer");
        return (Path.Combine(dir, "model.onnx"), Directory.EnumerateFiles(dir, "model.onnx*").Sum(f => new FileInfo(f).Length));
    }

    /// <summary>Empty for fp32 packages, so their cache keys stay as before int4 existed.</summary>
    private static string Int4Key(TinyFluxOptions options) =>
        options.Int4 is { } int4 ? string.Create(CultureInfo.InvariantCulture, $"-int4b{int4.BlockSize}a{int4.AccuracyLevel}") : string.Empty;

    /// <summary>FLUX.1 width (3072, 24 heads, T5 width 4096) with the given block counts.</summary>
    public static TinyFluxOptions FluxWidth(int doubleBlocks, int singleBlocks) =>
        TinyFluxOptions.FluxWidth with { DoubleBlocks = doubleBlocks, SingleBlocks = singleBlocks };
}
