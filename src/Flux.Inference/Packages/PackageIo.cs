using Flux.Inference.Sessions;
using Microsoft.Extensions.Logging;

namespace Flux.Inference.Packages;

/// <summary>The validated IO of the four sessions and the dimensions they agree on (T, Dt, Dp, ...).</summary>
public sealed class PackageIo
{
    private PackageIo(ComponentIo clip, ComponentIo t5, ComponentIo transformer, ComponentIo vae, DimensionTable dimensions)
    {
        Clip = clip;
        T5 = t5;
        Transformer = transformer;
        Vae = vae;
        Dimensions = dimensions;
    }

    public ComponentIo Clip { get; }

    public ComponentIo T5 { get; }

    public ComponentIo Transformer { get; }

    public ComponentIo Vae { get; }

    public DimensionTable Dimensions { get; }

    public IEnumerable<ComponentIo> All => [Clip, T5, Transformer, Vae];

    public ComponentIo this[ModelComponent component] => component switch
    {
        ModelComponent.ClipTextEncoder => Clip,
        ModelComponent.T5TextEncoder => T5,
        ModelComponent.Transformer => Transformer,
        _ => Vae,
    };

    /// <summary>Loads each session once (through the cache) and validates it; cross-checks shared dimensions.</summary>
    internal static PackageIo Validate(PackageFiles files, FluxManifest manifest, InferenceOptions options, SessionCache cache, ILogger logger)
    {
        var overrides = new Dictionary<string, string>(manifest.IoNames ?? [], StringComparer.Ordinal);
        if (manifest.TransformerOutput is { } output)
        {
            overrides.TryAdd(IoContract.OverrideKey(ModelComponent.Transformer, IoContract.Velocity), output);
        }

        var dimensions = new DimensionTable();
        bool sequential = options.MemoryMode == MemoryMode.Sequential;
        ComponentIo Check(string file, ComponentContract contract)
        {
            using var lease = cache.Acquire(file, options, logger, releaseWhenUnused: sequential);
            return IoValidator.Validate(lease.Session, contract, overrides, dimensions);
        }

        var clip = Check(files.ClipModel, IoContract.Clip);
        var t5 = Check(files.T5Model, IoContract.T5);
        var transformer = Check(files.TransformerModel, IoContract.Transformer);
        var vae = Check(files.VaeModel, IoContract.Vae);
        return new PackageIo(clip, t5, transformer, vae, dimensions);
    }
}
