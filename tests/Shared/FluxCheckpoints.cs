using System.Text.Json;

namespace Flux.Tests.Shared;

/// <summary>Sizes of a small FLUX-architecture checkpoint for tests.</summary>
internal sealed record SmallFlux(bool Dev, int Hidden = 32, int Heads = 2, int DoubleBlocks = 2, int SingleBlocks = 2, int Context = 16, int Pooled = 12)
{
    public int HeadDim => Hidden / Heads;

    public int Mlp => 4 * Hidden;

    /// <summary>The RoPE split written into the diffusers config (three even widths summing to the head width).</summary>
    public int[] AxesDims => [4, 6, 6];
}

/// <summary>
/// Small FLUX.1 transformer checkpoints with seeded random weights, in BFL's state-dict names (listed here from
/// black-forest-labs/flux src/flux/model.py Flux.__init__ and modules/layers.py, independently of the graph builder)
/// and in diffusers' names (converted the way huggingface/diffusers scripts/convert_flux_to_diffusers.py
/// convert_flux_transformer_checkpoint_to_diffusers does).
/// </summary>
internal static class FluxCheckpoints
{
    public static SortedDictionary<string, (long[] Shape, float[] Values)> Bfl(SmallFlux s, int seed)
    {
        var random = new Random(seed);
        var dict = new SortedDictionary<string, (long[] Shape, float[] Values)>(StringComparer.Ordinal);
        void Linear(string name, int inWidth, int outWidth)
        {
            var bound = 1.0 / Math.Sqrt(inWidth);
            dict[name + ".weight"] = ([outWidth, inWidth], Uniform(random, outWidth * inWidth, bound, 0));
            dict[name + ".bias"] = ([outWidth], Uniform(random, outWidth, bound, 0));
        }

        void Scale(string name) => dict[name] = ([s.HeadDim], Uniform(random, s.HeadDim, 0.2, 1));

        int h = s.Hidden;
        Linear("img_in", 64, h);
        Linear("time_in.in_layer", 256, h);
        Linear("time_in.out_layer", h, h);
        Linear("vector_in.in_layer", s.Pooled, h);
        Linear("vector_in.out_layer", h, h);
        if (s.Dev)
        {
            Linear("guidance_in.in_layer", 256, h);
            Linear("guidance_in.out_layer", h, h);
        }

        Linear("txt_in", s.Context, h);
        for (var i = 0; i < s.DoubleBlocks; i++)
        {
            foreach (var stream in new[] { "img", "txt" })
            {
                var p = $"double_blocks.{i}.{stream}";
                Linear(p + "_mod.lin", h, 6 * h);
                Linear(p + "_attn.qkv", h, 3 * h);
                Scale(p + "_attn.norm.query_norm.scale");
                Scale(p + "_attn.norm.key_norm.scale");
                Linear(p + "_attn.proj", h, h);
                Linear(p + "_mlp.0", h, s.Mlp);
                Linear(p + "_mlp.2", s.Mlp, h);
            }
        }

        for (var i = 0; i < s.SingleBlocks; i++)
        {
            var p = $"single_blocks.{i}";
            Linear(p + ".linear1", h, 3 * h + s.Mlp);
            Linear(p + ".linear2", h + s.Mlp, h);
            Scale(p + ".norm.query_norm.scale");
            Scale(p + ".norm.key_norm.scale");
            Linear(p + ".modulation.lin", h, 3 * h);
        }

        Linear("final_layer.linear", h, 64);
        Linear("final_layer.adaLN_modulation.1", h, 2 * h);
        return dict;
    }

    /// <summary>BFL -> diffusers, restating convert_flux_transformer_checkpoint_to_diffusers line by line.</summary>
    public static SortedDictionary<string, (long[] Shape, float[] Values)> ToDiffusers(SortedDictionary<string, (long[] Shape, float[] Values)> bfl, SmallFlux s)
    {
        var original = new Dictionary<string, (long[] Shape, float[] Values)>(bfl, StringComparer.Ordinal);
        var converted = new SortedDictionary<string, (long[] Shape, float[] Values)>(StringComparer.Ordinal);
        (long[] Shape, float[] Values) Pop(string key)
        {
            var value = original[key];
            original.Remove(key);
            return value;
        }

        void Move(string to, string from)
        {
            converted[to + ".weight"] = Pop(from + ".weight");
            if (original.ContainsKey(from + ".bias"))
            {
                converted[to + ".bias"] = Pop(from + ".bias");
            }
        }

        void Split(string from, string[] to, int[] rows)
        {
            foreach (var parameter in new[] { "weight", "bias" })
            {
                var (shape, values) = Pop($"{from}.{parameter}");
                var width = (int)(values.Length / shape[0]);
                var offset = 0;
                for (var k = 0; k < to.Length; k++)
                {
                    long[] partShape = shape.Length == 2 ? [rows[k], shape[1]] : [rows[k]];
                    converted[$"{to[k]}.{parameter}"] = (partShape, values[(offset * width)..((offset + rows[k]) * width)]);
                    offset += rows[k];
                }
            }
        }

        int h = s.Hidden;
        Move("time_text_embed.timestep_embedder.linear_1", "time_in.in_layer");
        Move("time_text_embed.timestep_embedder.linear_2", "time_in.out_layer");
        Move("time_text_embed.text_embedder.linear_1", "vector_in.in_layer");
        Move("time_text_embed.text_embedder.linear_2", "vector_in.out_layer");
        if (s.Dev)
        {
            Move("time_text_embed.guidance_embedder.linear_1", "guidance_in.in_layer");
            Move("time_text_embed.guidance_embedder.linear_2", "guidance_in.out_layer");
        }

        Move("context_embedder", "txt_in");
        Move("x_embedder", "img_in");
        for (var i = 0; i < s.DoubleBlocks; i++)
        {
            var b = $"transformer_blocks.{i}.";
            var d = $"double_blocks.{i}.";
            Move(b + "norm1.linear", d + "img_mod.lin");
            Move(b + "norm1_context.linear", d + "txt_mod.lin");
            Split(d + "img_attn.qkv", [b + "attn.to_q", b + "attn.to_k", b + "attn.to_v"], [h, h, h]);
            Split(d + "txt_attn.qkv", [b + "attn.add_q_proj", b + "attn.add_k_proj", b + "attn.add_v_proj"], [h, h, h]);
            converted[b + "attn.norm_q.weight"] = Pop(d + "img_attn.norm.query_norm.scale");
            converted[b + "attn.norm_k.weight"] = Pop(d + "img_attn.norm.key_norm.scale");
            converted[b + "attn.norm_added_q.weight"] = Pop(d + "txt_attn.norm.query_norm.scale");
            converted[b + "attn.norm_added_k.weight"] = Pop(d + "txt_attn.norm.key_norm.scale");
            Move(b + "ff.net.0.proj", d + "img_mlp.0");
            Move(b + "ff.net.2", d + "img_mlp.2");
            Move(b + "ff_context.net.0.proj", d + "txt_mlp.0");
            Move(b + "ff_context.net.2", d + "txt_mlp.2");
            Move(b + "attn.to_out.0", d + "img_attn.proj");
            Move(b + "attn.to_add_out", d + "txt_attn.proj");
        }

        for (var i = 0; i < s.SingleBlocks; i++)
        {
            var b = $"single_transformer_blocks.{i}.";
            var d = $"single_blocks.{i}.";
            Move(b + "norm.linear", d + "modulation.lin");
            Split(d + "linear1", [b + "attn.to_q", b + "attn.to_k", b + "attn.to_v", b + "proj_mlp"], [h, h, h, s.Mlp]);
            converted[b + "attn.norm_q.weight"] = Pop(d + "norm.query_norm.scale");
            converted[b + "attn.norm_k.weight"] = Pop(d + "norm.key_norm.scale");
            Move(b + "proj_out", d + "linear2");
        }

        Move("proj_out", "final_layer.linear");
        foreach (var parameter in new[] { "weight", "bias" })
        {
            // swap_scale_shift: shift, scale = chunk(2); cat([scale, shift])
            var (shape, values) = Pop($"final_layer.adaLN_modulation.1.{parameter}");
            var half = values.Length / 2;
            converted[$"norm_out.linear.{parameter}"] = (shape, [.. values[half..], .. values[..half]]);
        }

        if (original.Count > 0)
        {
            throw new InvalidOperationException($"the conversion left BFL keys unconverted: {string.Join(", ", original.Keys)}");
        }

        return converted;
    }

    /// <summary>diffusers' FluxTransformer2DModel config.json for <paramref name="s"/>.</summary>
    public static string DiffusersConfig(SmallFlux s) => JsonSerializer.Serialize(new Dictionary<string, object?>
    {
        ["_class_name"] = "FluxTransformer2DModel",
        ["_diffusers_version"] = "0.30.0",
        ["attention_head_dim"] = s.HeadDim,
        ["axes_dims_rope"] = s.AxesDims,
        ["guidance_embeds"] = s.Dev,
        ["in_channels"] = 64,
        ["joint_attention_dim"] = s.Context,
        ["num_attention_heads"] = s.Heads,
        ["num_layers"] = s.DoubleBlocks,
        ["num_single_layers"] = s.SingleBlocks,
        ["out_channels"] = null,
        ["patch_size"] = 1,
        ["pooled_projection_dim"] = s.Pooled,
    });

    public static IEnumerable<TestTensor> AsTensors(IDictionary<string, (long[] Shape, float[] Values)> dict, string dtype) =>
        dict.Select(kv => new TestTensor(kv.Key, kv.Value.Shape, kv.Value.Values, dtype));

    /// <summary>The values a reader of the stored file sees (after rounding to <paramref name="dtype"/>).</summary>
    public static Dictionary<string, float[]> Stored(IDictionary<string, (long[] Shape, float[] Values)> dict, string dtype) =>
        dict.ToDictionary(kv => kv.Key, kv => kv.Value.Values.Select(v => SafeTensorsWriter.Stored(v, dtype)).ToArray(), StringComparer.Ordinal);

    private static float[] Uniform(Random random, int count, double bound, float offset) =>
        [.. Enumerable.Range(0, count).Select(_ => (float)((random.NextDouble() * 2 - 1) * bound) + offset)];
}
