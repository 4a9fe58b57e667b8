using System.Diagnostics;
using Flux.ModelBuilder.Packages;
using Flux.ModelBuilder.Tiny;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Flux.ModelBuilder;

/// <summary>
/// The built-in packages by name, built once into a per-user cache folder
/// (<c>$FLUX_CACHE_DIR</c> or <c>~/.cache/flux-functions</c>) and reused afterwards.
/// </summary>
public static class BuiltInPackages
{
    public const string CacheDirectoryVariable = "FLUX_CACHE_DIR";

    /// <summary>Bumped whenever the builder's output changes, so stale caches are not reused.</summary>
    public const int FormatVersion = 4;

    public static IReadOnlyList<string> Names { get; } = ["tiny", "tiny-dev", "reference"];

    /// <summary>
    /// Returns the folder of package <paramref name="name"/>, building it on first use. Safe under
    /// concurrency: each builder writes a private temporary folder and renames it into place; a loser
    /// of the race discards its copy and uses the winner's.
    /// </summary>
    public static string EnsureBuilt(string name, string? cacheRoot = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        var write = Writer(name);
        logger ??= NullLogger.Instance;
        var packages = Directory.CreateDirectory(Path.Combine(cacheRoot ?? DefaultCacheRoot(), "packages")).FullName;
        var target = Path.Combine(packages, $"{name}-v{FormatVersion}");
        if (Directory.Exists(target))
        {
            return target;
        }

        Log.BuildingPackage(logger, name, target);
        var watch = Stopwatch.StartNew();
        if (PackageDirectory.WriteAtomically(target, write, replace: false))
        {
            Log.BuiltPackage(logger, name, watch.ElapsedMilliseconds);
        }
        else
        {
            Log.PackageBuiltConcurrently(logger, name, target);
        }

        return target;
    }

    /// <summary>The per-user cache root: <c>$FLUX_CACHE_DIR</c>, else <c>~/.cache/flux-functions</c>.</summary>
    public static string DefaultCacheRoot()
    {
        var configured = Environment.GetEnvironmentVariable(CacheDirectoryVariable);
        return string.IsNullOrWhiteSpace(configured)
            ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "flux-functions")
            : configured;
    }

    private static Action<string> Writer(string name) => name switch
    {
        "tiny" => dir => TinyPackage.Write(dir, new TinyFluxOptions()),
        "tiny-dev" => dir => TinyPackage.Write(dir, new TinyFluxOptions { Variant = FluxVariant.Dev }),
        "reference" => dir => ReferencePackage.Write(dir, new ReferencePackageOptions()),
        _ => throw new ArgumentException($"built-in package '{name}' is unknown; allowed: {string.Join(", ", Names)}.", nameof(name)),
    };
}
