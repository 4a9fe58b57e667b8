using System.Text.Json;

namespace Flux.Tests.Shared;

/// <summary>
/// Small text encoders in the FLUX.1 repo layout: text_encoder/ (transformers CLIPTextModel, one file) and
/// text_encoder_2/ (T5EncoderModel, sharded with an index), seeded random weights under transformers' state-dict
/// names (modeling_clip.py / modeling_t5.py module trees), configs shaped like the published ones.
/// </summary>
internal static class TextEncoderCheckpoints
{
    /// <summary>CLIP's real vocabulary size and context (the tokenizer is the real one).</summary>
    public const int ClipVocab = 49408;
    public const int ClipLength = 77;

    /// <summary>T5 v1.1's embedding rows (32100 pieces padded to 32128).</summary>
    public const int T5Vocab = 32128;

    /// <summary>Writes the CLIP folder; returns every tensor as stored (after rounding to <paramref name="dtype"/>).</summary>
    public static Dictionary<string, float[]> WriteClip(string folder, int width, int seed, string dtype = "BF16")
    {
        Directory.CreateDirectory(folder);
        int heads = 2, layers = 1, inner = 2 * width;
        var keys = new Dictionary<string, long[]>(StringComparer.Ordinal)
        {
            ["text_model.embeddings.token_embedding.weight"] = [ClipVocab, width],
            ["text_model.embeddings.position_embedding.weight"] = [ClipLength, width],
            ["text_model.final_layer_norm.weight"] = [width],
            ["text_model.final_layer_norm.bias"] = [width],
        };
        for (var layer = 0; layer < layers; layer++)
        {
            var p = $"text_model.encoder.layers.{layer}";
            foreach (var projection in new[] { "k_proj", "v_proj", "q_proj", "out_proj" })
            {
                keys[$"{p}.self_attn.{projection}.weight"] = [width, width];
                keys[$"{p}.self_attn.{projection}.bias"] = [width];
            }

            foreach (var norm in new[] { "layer_norm1", "layer_norm2" })
            {
                keys[$"{p}.{norm}.weight"] = [width];
                keys[$"{p}.{norm}.bias"] = [width];
            }

            keys[$"{p}.mlp.fc1.weight"] = [inner, width];
            keys[$"{p}.mlp.fc1.bias"] = [inner];
            keys[$"{p}.mlp.fc2.weight"] = [width, inner];
            keys[$"{p}.mlp.fc2.bias"] = [width];
        }

        var tensors = Random(keys, seed, dtype).ToList();
        SafeTensorsWriter.Write(Path.Combine(folder, "model.safetensors"), tensors);
        File.WriteAllText(Path.Combine(folder, "config.json"), JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["architectures"] = new[] { "CLIPTextModel" },
            ["bos_token_id"] = 0,
            ["eos_token_id"] = 2,
            ["hidden_act"] = "quick_gelu",
            ["hidden_size"] = width,
            ["intermediate_size"] = inner,
            ["layer_norm_eps"] = 1e-5,
            ["max_position_embeddings"] = ClipLength,
            ["model_type"] = "clip_text_model",
            ["num_attention_heads"] = heads,
            ["num_hidden_layers"] = layers,
            ["pad_token_id"] = 1,
            ["projection_dim"] = width,
            ["vocab_size"] = ClipVocab,
        }));
        return Stored(tensors);
    }

    /// <summary>Writes the T5 folder; returns every tensor as stored (after rounding to <paramref name="dtype"/>).</summary>
    public static Dictionary<string, float[]> WriteT5(string folder, int width, int seed, string dtype = "BF16")
    {
        Directory.CreateDirectory(folder);
        int heads = 2, dKv = width / heads, ff = 2 * width, buckets = 32, layers = 1;
        var keys = new Dictionary<string, long[]>(StringComparer.Ordinal)
        {
            ["shared.weight"] = [T5Vocab, width],
            ["encoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight"] = [buckets, heads],
            ["encoder.final_layer_norm.weight"] = [width],
        };
        for (var block = 0; block < layers; block++)
        {
            var p = $"encoder.block.{block}.layer";
            foreach (var projection in new[] { "q", "k", "v" })
            {
                keys[$"{p}.0.SelfAttention.{projection}.weight"] = [heads * dKv, width];
            }

            keys[$"{p}.0.SelfAttention.o.weight"] = [width, heads * dKv];
            keys[$"{p}.0.layer_norm.weight"] = [width];
            keys[$"{p}.1.DenseReluDense.wi_0.weight"] = [ff, width];
            keys[$"{p}.1.DenseReluDense.wi_1.weight"] = [ff, width];
            keys[$"{p}.1.DenseReluDense.wo.weight"] = [width, ff];
            keys[$"{p}.1.layer_norm.weight"] = [width];
        }

        var tensors = Random(keys, seed, dtype).ToList();
        SafeTensorsWriter.WriteSharded(folder, "model", tensors, tensorsPerShard: 6);
        File.WriteAllText(Path.Combine(folder, "config.json"), JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["architectures"] = new[] { "T5EncoderModel" },
            ["d_ff"] = ff,
            ["d_kv"] = dKv,
            ["d_model"] = width,
            ["dense_act_fn"] = "gelu_new",
            ["eos_token_id"] = 1,
            ["feed_forward_proj"] = "gated-gelu",
            ["is_gated_act"] = true,
            ["layer_norm_epsilon"] = 1e-6,
            ["model_type"] = "t5",
            ["num_heads"] = heads,
            ["num_layers"] = layers,
            ["pad_token_id"] = 0,
            ["relative_attention_max_distance"] = 128,
            ["relative_attention_num_buckets"] = buckets,
            ["vocab_size"] = T5Vocab,
        }));
        return Stored(tensors);
    }

    private static Dictionary<string, float[]> Stored(List<TestTensor> tensors) =>
        tensors.ToDictionary(t => t.Name, t => t.Values.Select(v => SafeTensorsWriter.Stored(v, t.DType)).ToArray(), StringComparer.Ordinal);

    private static IEnumerable<TestTensor> Random(Dictionary<string, long[]> keys, int seed, string dtype)
    {
        var random = new Random(seed);
        foreach (var (name, shape) in keys.OrderBy(k => k.Key, StringComparer.Ordinal))
        {
            var count = (int)shape.Aggregate(1L, (p, d) => p * d);
            var isNorm = name.Contains("norm", StringComparison.Ordinal) && name.EndsWith(".weight", StringComparison.Ordinal);
            var bound = shape.Length == 2 && !name.Contains("embedding", StringComparison.Ordinal) && !name.StartsWith("shared", StringComparison.Ordinal) ? 1.0 / Math.Sqrt(shape[1]) : 0.5;
            yield return new TestTensor(name, shape, [.. Enumerable.Range(0, count).Select(_ => (float)((random.NextDouble() * 2 - 1) * (isNorm ? 0.1 : bound)) + (isNorm ? 1f : 0f))], dtype);
        }
    }
}
