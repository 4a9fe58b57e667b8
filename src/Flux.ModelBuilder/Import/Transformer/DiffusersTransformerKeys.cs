namespace Flux.ModelBuilder.Import.Transformer;

/// <summary>
/// Where each BFL state-dict key of the FLUX transformer lives in a diffusers FluxTransformer2DModel checkpoint.
/// This is diffusers' own conversion read backwards: huggingface/diffusers scripts/convert_flux_to_diffusers.py,
/// convert_flux_transformer_checkpoint_to_diffusers (BFL -> diffusers), and for guidance_in, which that script's
/// schnell-only path skips, src/diffusers/loaders/single_file_utils.py, convert_flux_transformer_checkpoint_to_diffusers.
/// </summary>
internal static class DiffusersTransformerKeys
{
    /// <summary>Top-level modules, renamed one to one.</summary>
    private static readonly Dictionary<string, string> TopLevel = new(StringComparer.Ordinal)
    {
        ["img_in"] = "x_embedder",
        ["txt_in"] = "context_embedder",
        ["time_in.in_layer"] = "time_text_embed.timestep_embedder.linear_1",
        ["time_in.out_layer"] = "time_text_embed.timestep_embedder.linear_2",
        ["vector_in.in_layer"] = "time_text_embed.text_embedder.linear_1",
        ["vector_in.out_layer"] = "time_text_embed.text_embedder.linear_2",
        ["guidance_in.in_layer"] = "time_text_embed.guidance_embedder.linear_1",
        ["guidance_in.out_layer"] = "time_text_embed.guidance_embedder.linear_2",
        ["final_layer.linear"] = "proj_out",
    };

    /// <summary>double_blocks.{i}.X -> transformer_blocks.{i}.Y for the one-to-one modules (the script's "norms", "qk_norm", "ff", "output projections").</summary>
    private static readonly Dictionary<string, string> DoubleBlock = new(StringComparer.Ordinal)
    {
        ["img_mod.lin"] = "norm1.linear",
        ["txt_mod.lin"] = "norm1_context.linear",
        ["img_attn.norm.query_norm"] = "attn.norm_q",
        ["img_attn.norm.key_norm"] = "attn.norm_k",
        ["txt_attn.norm.query_norm"] = "attn.norm_added_q",
        ["txt_attn.norm.key_norm"] = "attn.norm_added_k",
        ["img_mlp.0"] = "ff.net.0.proj",
        ["img_mlp.2"] = "ff.net.2",
        ["txt_mlp.0"] = "ff_context.net.0.proj",
        ["txt_mlp.2"] = "ff_context.net.2",
        ["img_attn.proj"] = "attn.to_out.0",
        ["txt_attn.proj"] = "attn.to_add_out",
    };

    /// <summary>single_blocks.{i}.X -> single_transformer_blocks.{i}.Y for the one-to-one modules.</summary>
    private static readonly Dictionary<string, string> SingleBlock = new(StringComparer.Ordinal)
    {
        ["modulation.lin"] = "norm.linear",
        ["norm.query_norm"] = "attn.norm_q",
        ["norm.key_norm"] = "attn.norm_k",
        ["linear2"] = "proj_out",
    };

    /// <summary>
    /// The diffusers slices that make up BFL's <paramref name="bflKey"/>, for a model of width <paramref name="hidden"/>
    /// (fused qkv and linear1 are concatenations; final_layer's (shift, scale) are diffusers' (scale, shift) swapped back).
    /// </summary>
    public static IReadOnlyList<KeySlice> Map(string bflKey, long hidden)
    {
        var (module, parameter) = SplitParameter(bflKey);

        // RMSNorm scales are named "scale" in BFL (QKNorm's RMSNorm) and "weight" in diffusers.
        var diffusersParameter = parameter == "scale" ? "weight" : parameter;
        if (TopLevel.TryGetValue(module, out var renamed))
        {
            return [new KeySlice($"{renamed}.{parameter}")];
        }

        if (module == "final_layer.adaLN_modulation.1")
        {
            // swap_scale_shift: diffusers norm_out.linear = cat([scale, shift]); BFL wants (shift, scale).
            var key = $"norm_out.linear.{parameter}";
            return [new KeySlice(key, hidden, hidden), new KeySlice(key, 0, hidden)];
        }

        if (TryBlock(module, "double_blocks.", out var index, out var inner))
        {
            var prefix = $"transformer_blocks.{index}.";
            return inner switch
            {
                // "Q, K, V": sample_q, sample_k, sample_v = chunk(img_attn.qkv, 3); context_* from txt_attn.qkv.
                "img_attn.qkv" => Concat(prefix, parameter, "attn.to_q", "attn.to_k", "attn.to_v"),
                "txt_attn.qkv" => Concat(prefix, parameter, "attn.add_q_proj", "attn.add_k_proj", "attn.add_v_proj"),
                _ when DoubleBlock.TryGetValue(inner, out var target) => [new KeySlice($"{prefix}{target}.{diffusersParameter}")],
                _ => throw Unknown(bflKey),
            };
        }

        if (TryBlock(module, "single_blocks.", out index, out inner))
        {
            var prefix = $"single_transformer_blocks.{index}.";
            return inner switch
            {
                // "Q, K, V, mlp": q, k, v, mlp = split(linear1, (inner_dim, inner_dim, inner_dim, mlp_hidden_dim)).
                "linear1" => Concat(prefix, parameter, "attn.to_q", "attn.to_k", "attn.to_v", "proj_mlp"),
                _ when SingleBlock.TryGetValue(inner, out var target) => [new KeySlice($"{prefix}{target}.{diffusersParameter}")],
                _ => throw Unknown(bflKey),
            };
        }

        throw Unknown(bflKey);
    }

    /// <summary>"double_blocks.3.img_attn.qkv.weight" -> ("double_blocks.3.img_attn.qkv", "weight").</summary>
    public static (string Module, string Parameter) SplitParameter(string key)
    {
        var dot = key.LastIndexOf('.');
        return dot < 0 ? (key, string.Empty) : (key[..dot], key[(dot + 1)..]);
    }

    private static KeySlice[] Concat(string prefix, string parameter, params string[] modules) =>
        [.. modules.Select(m => new KeySlice($"{prefix}{m}.{parameter}"))];

    private static bool TryBlock(string module, string blocks, out int index, out string inner)
    {
        (index, inner) = (-1, string.Empty);
        if (!module.StartsWith(blocks, StringComparison.Ordinal))
        {
            return false;
        }

        var rest = module[blocks.Length..];
        var dot = rest.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0 || !int.TryParse(rest[..dot], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out index))
        {
            return false;
        }

        inner = rest[(dot + 1)..];
        return true;
    }

    private static InvalidOperationException Unknown(string bflKey) =>
        new($"the FLUX transformer graph asked for '{bflKey}', which has no diffusers counterpart in the conversion table");
}
