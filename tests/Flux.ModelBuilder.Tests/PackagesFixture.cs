using Flux.ModelBuilder.Packages;
using Flux.ModelBuilder.Tiny;

namespace Flux.ModelBuilder.Tests;

/// <summary>Builds the tiny (schnell, dev, optimum names) and reference packages once for all tests.</summary>
public sealed class PackagesFixture : IDisposable
{
    private readonly TempDirectory _root = new();

    public PackagesFixture()
    {
        Tiny = Build("tiny", d => TinyPackage.Write(d, new TinyFluxOptions()));
        TinyDev = Build("tiny-dev", d => TinyPackage.Write(d, new TinyFluxOptions { Variant = FluxVariant.Dev, T5MaxLength = 64 }));
        TinyOptimum = Build("tiny-optimum", d => TinyPackage.Write(d, new TinyFluxOptions { OptimumOutputNames = true, T5MaxLength = 32 }));
        Reference = Build("reference", d => ReferencePackage.Write(d, new ReferencePackageOptions()));
    }

    public string Tiny { get; }

    public string TinyDev { get; }

    public string TinyOptimum { get; }

    public string Reference { get; }

    public void Dispose() => _root.Dispose();

    private string Build(string name, Action<string> write)
    {
        var directory = Directory.CreateDirectory(_root.Sub(name)).FullName;
        write(directory);
        return directory;
    }
}

[CollectionDefinition(Name)]
public sealed class PackagesCollection : ICollectionFixture<PackagesFixture>
{
    public const string Name = "packages";
}
