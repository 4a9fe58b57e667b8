using Flux.ModelBuilder.Import.SafeTensors;
using Flux.ModelBuilder.Import.Vae;

namespace Flux.ModelBuilder.Import;

/// <summary>
/// Plan of the AutoEncoder: decoder and encoder graphs (Import/Vae, BFL's autoencoder.py) built from one checkpoint
/// source, so every tensor must be used by one of them; diffusers' vae/ folder or BFL's ae.safetensors.
/// </summary>
internal static class VaeSteps
{
    public const string VaeComponent = "vae";
    public const string DecoderFolder = "vae_decoder";
    public const string EncoderFolder = "vae_encoder";

    /// <summary>The AutoEncoder's decoder and encoder from diffusers' vae/ folder or BFL's ae.safetensors; one source, so every tensor is used by one of them.</summary>
    public static (ComponentStep Step, AutoencoderConfig Config) Vae(string source, string? bflFile, WeightPrecision precision, Action<IDisposable> own, Action<IEnumerable<string>> inputs)
    {
        AutoencoderConfig config;
        SafeTensorsCheckpoint checkpoint;
        KeyMap map;
        string configSource;
        if (bflFile is not null)
        {
            checkpoint = TextEncoderSteps.Open(bflFile, own);
            var bfl = checkpoint;
            config = AutoencoderConfig.FromBflShapes(key => bfl.Tensors.TryGetValue(key, out var tensor) ? tensor.Info.Shape : null, bflFile);
            map = KeyMaps.Identity;
            configSource = $"{bflFile} (shapes; BFL's 32 groups, scale 0.3611, shift 0.1159)";
        }
        else
        {
            var folder = Path.Combine(source, VaeComponent);
            configSource = Path.Combine(folder, "config.json");
            config = AutoencoderConfig.FromDiffusers(configSource);
            checkpoint = TextEncoderSteps.Open(folder, own);
            map = DiffusersMap(checkpoint, config.ChMult.Count);
            inputs([configSource]);
        }

        var parameters = new CheckpointParameters(checkpoint, map, precision, configSource);
        var decoder = AutoencoderGraphs.BuildDecoder(config, parameters);
        var encoder = AutoencoderGraphs.BuildEncoder(config, parameters);
        parameters.EnsureAllUsed();
        inputs([.. checkpoint.Files.Select(f => f.Path), checkpoint.Source]);
        return (ModelImporter.GraphStep(VaeComponent, parameters, (DecoderFolder, decoder), (EncoderFolder, encoder)), config);
    }

    /// <summary>
    /// BFL name -> its diffusers key (AutoencoderKeys.ToDiffusers); the mid attention's q, k, v, proj_out are diffusers
    /// Linear (C, C) read as BFL's 1x1 Conv2d (C, C, 1, 1), the same numbers in the same order.
    /// </summary>
    private static KeyMap DiffusersMap(SafeTensorsCheckpoint checkpoint, int levels) => name =>
    {
        var key = AutoencoderKeys.ToDiffusers(name, levels);
        IReadOnlyList<long>? view = AutoencoderKeys.IsAttentionProjectionWeight(name) && checkpoint.Tensors.TryGetValue(key, out var tensor) && tensor.Info.Shape.Length == 2
            ? [.. tensor.Info.Shape, 1, 1]
            : null;
        return [new KeySlice(key) { ViewAs = view }];
    };
}
