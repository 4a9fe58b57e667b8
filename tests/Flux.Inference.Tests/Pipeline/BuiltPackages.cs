using Flux.Inference.Sessions;
using Flux.ModelBuilder;

namespace Flux.Inference.Tests.Pipeline;

/// <summary>
/// Builds the built-in packages once per test run (into the per-user cache, or $FLUX_CACHE_DIR) and
/// opens one pipeline per package on the CPU provider, shared by every test of the collection.
/// </summary>
public sealed class BuiltPackages : IDisposable
{
    public static readonly InferenceOptions Cpu = new() { ExecutionProvider = ExecutionProviderKind.Cpu };

    private readonly Lazy<FluxPipeline> _reference;
    private readonly Lazy<FluxPipeline> _tiny;
    private readonly Lazy<FluxPipeline> _tinyDev;

    public BuiltPackages()
    {
        _reference = new(() => FluxPipeline.Open(Directory("reference"), Cpu));
        _tiny = new(() => FluxPipeline.Open(Directory("tiny"), Cpu));
        _tinyDev = new(() => FluxPipeline.Open(Directory("tiny-dev"), Cpu));
    }

    public FluxPipeline Reference => _reference.Value;

    public FluxPipeline Tiny => _tiny.Value;

    public FluxPipeline TinyDev => _tinyDev.Value;

    public static string Directory(string name) => BuiltInPackages.EnsureBuilt(name);

    public void Dispose()
    {
        foreach (var pipeline in new[] { _reference, _tiny, _tinyDev }.Where(p => p.IsValueCreated))
        {
            pipeline.Value.Dispose();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class BuiltPackagesCollection : ICollectionFixture<BuiltPackages>
{
    public const string Name = "built-in packages";
}
