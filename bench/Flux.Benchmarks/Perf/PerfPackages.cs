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
            $"{options.Variant}-h{options.HiddenSize}-n{options.HeadCount}-d{options.DoubleBlocks}-s{options.SingleBlocks}-t{options.T5Width}-{options.Graph}-v{BuiltInPackages.FormatVersion}").ToLowerInvariant();
        string target = Path.Combine(BuiltInPackages.DefaultCacheRoot(), "perf", key);
        if (!Directory.Exists(target))
        {
            Console.Error.WriteLine($"building {key} ...");
            PackageDirectory.WriteAtomically(target, dir => TinyPackage.Write(dir, options), replace: false);
        }

        return target;
    }

    /// <summary>FLUX.1 width (3072, 24 heads, T5 width 4096) with the given block counts.</summary>
    public static TinyFluxOptions FluxWidth(int doubleBlocks, int singleBlocks) =>
        TinyFluxOptions.FluxWidth with { DoubleBlocks = doubleBlocks, SingleBlocks = singleBlocks };
}
