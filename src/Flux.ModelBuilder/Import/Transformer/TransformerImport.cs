using Flux.ModelBuilder.Import.SafeTensors;
using Flux.ModelBuilder.Onnx;
using Flux.ModelBuilder.Onnx.Int4;
using Flux.ModelBuilder.Tiny;

namespace Flux.ModelBuilder.Import.Transformer;

/// <summary>Which key layout a transformer checkpoint uses.</summary>
internal enum TransformerLayout
{
    /// <summary>diffusers FluxTransformer2DModel (transformer/ folder with config.json).</summary>
    Diffusers,

    /// <summary>BFL's single file (flux1-schnell.safetensors, flux1-dev.safetensors), the graph's own names.</summary>
    Bfl,
}

/// <summary>
/// Builds the FLUX transformer graph (<see cref="TinyTransformer"/>, BFL's architecture and names) with its weights
/// streamed from a diffusers or BFL checkpoint.
/// </summary>
internal sealed class TransformerImport : IDisposable
{
    private TransformerImport(SafeTensorsCheckpoint checkpoint, FluxTransformerConfig config, TransformerLayout layout)
    {
        Checkpoint = checkpoint;
        Config = config;
        Layout = layout;
    }

    public SafeTensorsCheckpoint Checkpoint { get; }

    public FluxTransformerConfig Config { get; }

    public TransformerLayout Layout { get; }

    /// <summary>
    /// Opens a diffusers transformer folder (config.json + safetensors, sharded or not) or a BFL single file, and
    /// settles the variant (<paramref name="variant"/> null = as the checkpoint says).
    /// </summary>
    public static TransformerImport Open(string path, FluxVariant? variant)
    {
        if (Directory.Exists(path))
        {
            var config = FluxTransformerConfig.FromDiffusers(Path.Combine(path, "config.json"));
            var checkpoint = SafeTensorsCheckpoint.Open(path);
            return new TransformerImport(checkpoint, config.WithVariant(variant), TransformerLayout.Diffusers);
        }

        var single = SafeTensorsCheckpoint.Open(path);
        try
        {
            return new TransformerImport(single, FluxTransformerConfig.FromBfl(single).WithVariant(variant), TransformerLayout.Bfl);
        }
        catch
        {
            single.Dispose();
            throw;
        }
    }

    /// <summary>Maps the graph's BFL names onto this checkpoint's keys.</summary>
    public KeyMap KeyMap => Layout == TransformerLayout.Bfl
        ? KeyMaps.Identity
        : name => DiffusersTransformerKeys.Map(name, Config.Hidden);

    /// <summary>
    /// The graph's options; <paramref name="textLength"/> null is FLUX's T5 length for the variant (256 schnell, 512 dev),
    /// <paramref name="int4"/> null keeps every weight at the parameters' precision.
    /// </summary>
    public TinyFluxOptions Options(int? textLength = null, Int4Quantization? int4 = null, TransformerGraph graph = TransformerGraph.Fused) =>
        Config.ToOptions(OnnxFileWriter.DefaultExternalDataThreshold) with { T5MaxLength = textLength, Int4 = int4, Graph = graph };

    /// <summary>Builds the graph with <paramref name="options"/> (from <see cref="Options"/>); every checkpoint tensor must be used.</summary>
    public BuiltGraph Build(CheckpointParameters parameters, TinyFluxOptions options)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(options);
        try
        {
            options.Validate();
        }
        catch (ArgumentException ex)
        {
            throw new ImportException($"{Config.Describe()}: {ex.Message}", ex);
        }

        var built = TinyTransformer.Build(options, parameters,
            $"FLUX.1-{options.Variant.ToString().ToLowerInvariant()} transformer imported from {Path.GetFileName(Checkpoint.Source)}.");
        parameters.EnsureAllUsed();
        return built;
    }

    public CheckpointParameters Parameters(WeightPrecision precision, Func<string, long[], IReadOnlyList<LowRankUpdate>>? updates = null) =>
        new(Checkpoint, KeyMap, precision, Config.Describe(), updates);

    public void Dispose() => Checkpoint.Dispose();
}
