using Flux.ModelBuilder.Import.Text;

namespace Flux.ModelBuilder.Tests.Import.Text;

/// <summary>
/// The state-dict keys and shapes transformers saves for the text encoders, written from the module trees of
/// modeling_clip.py and modeling_t5.py (attribute names joined by dots, nn.ModuleList items by index,
/// nn.Linear -> weight (out, in) and bias, nn.LayerNorm -> weight and bias, nn.Embedding -> weight (num, dim)),
/// independently of the graph code. These are the keys of FLUX.1's text_encoder and text_encoder_2 files.
/// </summary>
internal static class TransformersTextKeys
{
    /// <summary>
    /// CLIPTextModel: text_model = CLIPTextTransformer(embeddings = CLIPTextEmbeddings, encoder = CLIPEncoder(layers[i] =
    /// CLIPEncoderLayer(self_attn = CLIPAttention(k_proj, v_proj, q_proj, out_proj), layer_norm1, mlp = CLIPMLP(fc1, fc2),
    /// layer_norm2)), final_layer_norm). The position_ids buffer is registered with persistent=False, so it is not saved.
    /// </summary>
    public static Dictionary<string, long[]> Clip(ClipTextConfig c)
    {
        long d = c.HiddenSize, i = c.IntermediateSize;
        var keys = new Dictionary<string, long[]>(StringComparer.Ordinal)
        {
            ["text_model.embeddings.token_embedding.weight"] = [c.VocabSize, d],
            ["text_model.embeddings.position_embedding.weight"] = [c.MaxPositionEmbeddings, d],
            ["text_model.final_layer_norm.weight"] = [d],
            ["text_model.final_layer_norm.bias"] = [d],
        };
        for (var layer = 0; layer < c.NumHiddenLayers; layer++)
        {
            var p = $"text_model.encoder.layers.{layer}";
            foreach (var projection in new[] { "k_proj", "v_proj", "q_proj", "out_proj" })
            {
                keys[$"{p}.self_attn.{projection}.weight"] = [d, d];
                keys[$"{p}.self_attn.{projection}.bias"] = [d];
            }

            foreach (var norm in new[] { "layer_norm1", "layer_norm2" })
            {
                keys[$"{p}.{norm}.weight"] = [d];
                keys[$"{p}.{norm}.bias"] = [d];
            }

            keys[$"{p}.mlp.fc1.weight"] = [i, d];
            keys[$"{p}.mlp.fc1.bias"] = [i];
            keys[$"{p}.mlp.fc2.weight"] = [d, i];
            keys[$"{p}.mlp.fc2.bias"] = [d];
        }

        return keys;
    }

    /// <summary>
    /// T5EncoderModel: shared (nn.Embedding), encoder = T5Stack(embed_tokens tied to shared, block[i] = T5Block(layer[0] =
    /// T5LayerSelfAttention(SelfAttention = T5Attention(q, k, v, o without bias; relative_attention_bias only when
    /// i == 0), layer_norm = T5LayerNorm(weight)), layer[1] = T5LayerFF(DenseReluDense = T5DenseGatedActDense(wi_0,
    /// wi_1, wo) or T5DenseActDense(wi, wo), layer_norm)), final_layer_norm). The tied
    /// <c>encoder.embed_tokens.weight</c> is T5EncoderModel._tied_weights_keys and is dropped when saving, unless
    /// <paramref name="embeddingKey"/> names it as the one copy a file keeps.
    /// </summary>
    public static Dictionary<string, long[]> T5(T5Config c, string embeddingKey = "shared.weight")
    {
        long d = c.DModel, inner = (long)c.NumHeads * c.DKv, f = c.DFf;
        var keys = new Dictionary<string, long[]>(StringComparer.Ordinal)
        {
            [embeddingKey] = [c.VocabSize, d],
            ["encoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight"] = [c.RelativeAttentionNumBuckets, c.NumHeads],
            ["encoder.final_layer_norm.weight"] = [d],
        };
        for (var block = 0; block < c.NumLayers; block++)
        {
            var p = $"encoder.block.{block}.layer";
            keys[$"{p}.0.SelfAttention.q.weight"] = [inner, d];
            keys[$"{p}.0.SelfAttention.k.weight"] = [inner, d];
            keys[$"{p}.0.SelfAttention.v.weight"] = [inner, d];
            keys[$"{p}.0.SelfAttention.o.weight"] = [d, inner];
            keys[$"{p}.0.layer_norm.weight"] = [d];
            if (c.IsGatedAct)
            {
                keys[$"{p}.1.DenseReluDense.wi_0.weight"] = [f, d];
                keys[$"{p}.1.DenseReluDense.wi_1.weight"] = [f, d];
            }
            else
            {
                keys[$"{p}.1.DenseReluDense.wi.weight"] = [f, d];
            }

            keys[$"{p}.1.DenseReluDense.wo.weight"] = [d, f];
            keys[$"{p}.1.layer_norm.weight"] = [d];
        }

        return keys;
    }
}
