using Flux.Inference.Sessions;
using Microsoft.Extensions.Logging;

namespace Flux.Inference.Packages;

/// <summary>The validated IO of the four sessions (five with a VAE encoder) and the dimensions they agree on (T, Dt, Dp, ...).</summary>
public sealed class PackageIo
{
    private PackageIo(ComponentIo clip, ComponentIo t5, ComponentIo transformer, ComponentIo vae, ComponentIo? vaeEncoder, DimensionTable dimensions)
    {
        Clip = clip;
        T5 = t5;
        Transformer = transformer;
        Vae = vae;
        VaeEncoder = vaeEncoder;
        Dimensions = dimensions;
    }

    public ComponentIo Clip { get; }

    public ComponentIo T5 { get; }

    public ComponentIo Transformer { get; }

    public ComponentIo Vae { get; }

    /// <summary>The VAE encoder's IO when the package has vae_encoder/ (image-to-image), else null.</summary>
    public ComponentIo? VaeEncoder { get; }

    public DimensionTable Dimensions { get; }

    public IEnumerable<ComponentIo> All => VaeEncoder is null ? [Clip, T5, Transformer, Vae] : [Clip, T5, Transformer, Vae, VaeEncoder];

    public ComponentIo this[ModelComponent component] => component switch
    {
        ModelComponent.ClipTextEncoder => Clip,
        ModelComponent.T5TextEncoder => T5,
        ModelComponent.Transformer => Transformer,
        ModelComponent.VaeEncoder => VaeEncoder ?? throw new FluxModelException(
            $"the package at {Path.GetDirectoryName(Path.GetDirectoryName(Vae.ModelFile))} has no VAE encoder (vae_encoder/model.onnx), which image-to-image needs",
            Vae.ModelFile,
            "vae_encoder"),
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
        // The transformer is acquired as the pipeline acquires it (capturing a CUDA graph when configured), so the
        // session checked here is the one that runs, not a second copy of the largest model.
        ComponentIo Check(string file, ComponentContract contract, bool captureCudaGraph = false)
        {
            using var lease = cache.Acquire(file, options.For(contract.Component), logger, releaseWhenUnused: sequential, captureCudaGraph);
            return IoValidator.Validate(lease.Session, contract, overrides, dimensions);
        }

        var clip = Check(files.ClipModel, IoContract.Clip);
        var t5 = Check(files.T5Model, IoContract.T5);
        var transformer = Check(files.TransformerModel, IoContract.Transformer, captureCudaGraph: true);
        var vae = Check(files.VaeModel, IoContract.Vae);
        var vaeEncoder = files.VaeEncoderModel is { } encoderFile ? Check(encoderFile, IoContract.VaeEncoder) : null;
        return new PackageIo(clip, t5, transformer, vae, vaeEncoder, dimensions);
    }
}
