using System.Globalization;
using System.Text.Json;
using Flux.Core;
using Flux.ModelBuilder.Import.SafeTensors;
using Flux.ModelBuilder.Tiny;

namespace Flux.ModelBuilder.Import.Transformer;

/// <summary>
/// The FLUX transformer's hyperparameters, read from a diffusers FluxTransformer2DModel config.json or inferred
/// from the shapes of BFL's single-file checkpoint (flux1-schnell/dev.safetensors carry no config).
/// </summary>
internal sealed record FluxTransformerConfig(
    FluxVariant Variant,
    int DoubleBlocks,
    int SingleBlocks,
    int HeadCount,
    int HeadDim,
    int ContextWidth,
    int PooledWidth,
    int MlpRatio,
    IReadOnlyList<int>? RopeAxes,
    string Source)
{
    public int Hidden => HeadCount * HeadDim;

    /// <summary>The config fields that set the graph's shapes, for errors when the checkpoint disagrees.</summary>
    public string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"{Source} (num_layers {DoubleBlocks}, num_single_layers {SingleBlocks}, num_attention_heads {HeadCount} x attention_head_dim {HeadDim} = width {Hidden}, " +
        $"joint_attention_dim {ContextWidth}, pooled_projection_dim {PooledWidth}, guidance_embeds {(Variant == FluxVariant.Dev ? "true" : "false")})");

    public TinyFluxOptions ToOptions(long externalDataThreshold) => new()
    {
        Variant = Variant,
        HiddenSize = Hidden,
        HeadCount = HeadCount,
        DoubleBlocks = DoubleBlocks,
        SingleBlocks = SingleBlocks,
        MlpRatio = MlpRatio,
        T5Width = ContextWidth,
        PooledProjectionWidth = PooledWidth,
        RopeAxes = RopeAxes,
        ExternalDataThreshold = externalDataThreshold,
    };

    /// <summary>Reads diffusers' FluxTransformer2DModel config.json (its register_to_config arguments).</summary>
    public static FluxTransformerConfig FromDiffusers(string path)
    {
        using var document = ConfigJson.Parse(path);
        var root = document.RootElement;
        var inChannels = ConfigJson.Int(root, "in_channels", path, 64);
        if (inChannels != FluxConstants.PackedChannels)
        {
            throw new ImportException($"{path}: in_channels {inChannels} is not FLUX's {FluxConstants.PackedChannels} (16 latent channels in 2x2 patches)");
        }

        var patch = ConfigJson.Int(root, "patch_size", path, 1);
        if (patch != 1)
        {
            throw new ImportException($"{path}: patch_size {patch} is not 1 (FLUX packs 2x2 patches before the transformer)");
        }

        var axes = ConfigJson.Ints(root, "axes_dims_rope", path) ?? [16, 56, 56];
        return new FluxTransformerConfig(
            Variant: ConfigJson.Bool(root, "guidance_embeds", path, false) ? FluxVariant.Dev : FluxVariant.Schnell,
            DoubleBlocks: ConfigJson.Int(root, "num_layers", path, 19),
            SingleBlocks: ConfigJson.Int(root, "num_single_layers", path, 38),
            HeadCount: ConfigJson.Int(root, "num_attention_heads", path, 24),
            HeadDim: ConfigJson.Int(root, "attention_head_dim", path, 128),
            ContextWidth: ConfigJson.Int(root, "joint_attention_dim", path, 4096),
            PooledWidth: ConfigJson.Int(root, "pooled_projection_dim", path, 768),
            MlpRatio: 4, // FluxTransformer2DModel fixes mlp_ratio=4.0 in its blocks; a checkpoint that differs fails the shape check
            RopeAxes: axes,
            Source: path);
    }

    /// <summary>
    /// Infers the config from a BFL checkpoint's shapes: width from img_in, heads from the QK-norm scale (one head
    /// wide), depths from the block indices, dev when guidance_in is present (BFL's FluxParams guidance_embed).
    /// </summary>
    public static FluxTransformerConfig FromBfl(SafeTensorsCheckpoint checkpoint)
    {
        long[] Shape(string key) => checkpoint.Tensors.TryGetValue(key, out var t)
            ? t.Info.Shape
            : throw new ImportException($"{checkpoint.Source}: tensor '{key}' is missing; this is not a BFL FLUX.1 transformer checkpoint");

        var imgIn = Shape("img_in.weight");
        if (imgIn.Length != 2 || imgIn[1] != FluxConstants.PackedChannels)
        {
            throw new ImportException($"{checkpoint.Source}: 'img_in.weight' has shape [{string.Join(", ", imgIn)}], not [width, {FluxConstants.PackedChannels}]");
        }

        var hidden = (int)imgIn[0];
        var headDim = (int)Shape("double_blocks.0.img_attn.norm.query_norm.scale")[0];
        if (headDim <= 0 || hidden % headDim != 0)
        {
            throw new ImportException($"{checkpoint.Source}: query_norm.scale width {headDim} does not divide the model width {hidden}");
        }

        var mlp = Shape("double_blocks.0.img_mlp.0.weight")[0];
        return new FluxTransformerConfig(
            Variant: checkpoint.Tensors.ContainsKey("guidance_in.in_layer.weight") ? FluxVariant.Dev : FluxVariant.Schnell,
            DoubleBlocks: CountBlocks(checkpoint, "double_blocks."),
            SingleBlocks: CountBlocks(checkpoint, "single_blocks."),
            HeadCount: hidden / headDim,
            HeadDim: headDim,
            ContextWidth: (int)Shape("txt_in.weight")[1],
            PooledWidth: (int)Shape("vector_in.in_layer.weight")[1],
            MlpRatio: (int)(mlp / hidden),
            RopeAxes: headDim == 128 ? [16, 56, 56] : null, // BFL's FluxParams axes_dim for FLUX.1; smaller test models use the builder's scaled split
            Source: checkpoint.Source + " (shapes)");
    }

    /// <summary>Applies the user's --variant: auto keeps the detected one; a contradiction is an error.</summary>
    public FluxTransformerConfig WithVariant(FluxVariant? requested)
    {
        if (requested is { } variant && variant != Variant)
        {
            throw new ImportException(
                $"{Source}: --variant {variant.ToString().ToLowerInvariant()} contradicts the checkpoint, which is {Variant.ToString().ToLowerInvariant()} " +
                $"({(Variant == FluxVariant.Dev ? "it has" : "it has no")} guidance embedding)");
        }

        return this;
    }

    private static int CountBlocks(SafeTensorsCheckpoint checkpoint, string prefix)
    {
        var indices = new HashSet<int>();
        foreach (var key in checkpoint.Tensors.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal)))
        {
            var rest = key[prefix.Length..];
            var dot = rest.IndexOf('.', StringComparison.Ordinal);
            if (dot > 0 && int.TryParse(rest[..dot], NumberStyles.None, CultureInfo.InvariantCulture, out var index))
            {
                indices.Add(index);
            }
        }

        // Blocks must be numbered 0..n-1; a gap would otherwise silently drop the blocks after it.
        var count = indices.Count;
        if (indices.Any(i => i >= count))
        {
            throw new ImportException($"{checkpoint.Source}: {prefix}N indices are not 0..{count - 1} (found {string.Join(", ", indices.Order())})");
        }

        return count;
    }
}
