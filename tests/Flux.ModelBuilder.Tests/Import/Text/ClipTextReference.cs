using Flux.ModelBuilder.Import.Text;

namespace Flux.ModelBuilder.Tests.Import.Text;

/// <summary>
/// transformers models/clip/modeling_clip.py CLIPTextModel.forward restated loop by loop in C#, from the Python
/// (CLIPTextEmbeddings, CLIPEncoderLayer, CLIPAttention with eager_attention_forward, CLIPMLP, CLIPTextTransformer),
/// not from our graph code. <paramref name="w"/> maps state-dict keys to their values.
/// </summary>
internal static class ClipTextReference
{
    public static (float[] LastHiddenState, float[] PoolerOutput) Forward(ClipTextConfig c, Func<string, float[]> w, long[] ids, int batch)
    {
        int length = c.MaxPositionEmbeddings, d = c.HiddenSize, rows = batch * length;

        // CLIPTextEmbeddings.forward: token_embedding(input_ids) + position_embedding(position_ids = arange(seq_length)).
        var tokens = w("text_model.embeddings.token_embedding.weight");
        var positions = w("text_model.embeddings.position_embedding.weight");
        var h = new float[rows * d];
        for (var r = 0; r < rows; r++)
        {
            for (var i = 0; i < d; i++)
            {
                h[r * d + i] = tokens[ids[r] * d + i] + positions[(r % length) * d + i];
            }
        }

        // CLIPEncoder.forward: the layers in order.
        for (var layer = 0; layer < c.NumHiddenLayers; layer++)
        {
            h = EncoderLayer(c, w, $"text_model.encoder.layers.{layer}", h, batch);
        }

        // CLIPTextTransformer.forward: final_layer_norm, then pooled_output at the end-of-text index of each row.
        h = ReferenceMath.LayerNorm(h, rows, d, w("text_model.final_layer_norm.weight"), w("text_model.final_layer_norm.bias"), c.LayerNormEps);
        var pooled = new float[batch * d];
        for (var b = 0; b < batch; b++)
        {
            var index = PooledIndex(c, ids.AsSpan(b * length, length));
            Array.Copy(h, (b * length + index) * d, pooled, b * d, d);
        }

        return (h, pooled);
    }

    /// <summary>
    /// CLIPTextTransformer.forward: if self.eos_token_id == 2, input_ids.argmax(dim=-1); else
    /// (input_ids == self.eos_token_id).int().argmax(dim=-1). torch.argmax returns the first maximal index.
    /// </summary>
    public static int PooledIndex(ClipTextConfig c, ReadOnlySpan<long> row)
    {
        var best = 0;
        for (var j = 1; j < row.Length; j++)
        {
            var better = c.EosTokenId == 2 ? row[j] > row[best] : row[j] == c.EosTokenId && row[best] != c.EosTokenId;
            if (better)
            {
                best = j;
            }
        }

        return best;
    }

    /// <summary>CLIPEncoderLayer.forward: h + self_attn(layer_norm1(h)), then h + mlp(layer_norm2(h)).</summary>
    private static float[] EncoderLayer(ClipTextConfig c, Func<string, float[]> w, string p, float[] h, int batch)
    {
        int length = c.MaxPositionEmbeddings, d = c.HiddenSize, rows = batch * length;
        var normed = ReferenceMath.LayerNorm(h, rows, d, w(p + ".layer_norm1.weight"), w(p + ".layer_norm1.bias"), c.LayerNormEps);
        h = ReferenceMath.Add(h, Attention(c, w, p + ".self_attn", normed, batch));

        // CLIPMLP.forward: fc2(activation_fn(fc1(x))), activation_fn = ACT2FN[config.hidden_act].
        normed = ReferenceMath.LayerNorm(h, rows, d, w(p + ".layer_norm2.weight"), w(p + ".layer_norm2.bias"), c.LayerNormEps);
        var hidden = ReferenceMath.Linear(normed, rows, d, w(p + ".mlp.fc1.weight"), w(p + ".mlp.fc1.bias"), c.IntermediateSize);
        for (var i = 0; i < hidden.Length; i++)
        {
            hidden[i] = (float)(c.HiddenAct == "quick_gelu" ? ReferenceMath.QuickGelu(hidden[i]) : ReferenceMath.Gelu(hidden[i]));
        }

        return ReferenceMath.Add(h, ReferenceMath.Linear(hidden, rows, c.IntermediateSize, w(p + ".mlp.fc2.weight"), w(p + ".mlp.fc2.bias"), d));
    }

    /// <summary>
    /// CLIPAttention.forward with eager_attention_forward: per head, softmax(q k^T * head_dim**-0.5 + causal_mask) v,
    /// the causal mask (create_causal_mask) letting position i see only positions j &lt;= i; then out_proj.
    /// </summary>
    private static float[] Attention(ClipTextConfig c, Func<string, float[]> w, string p, float[] x, int batch)
    {
        int length = c.MaxPositionEmbeddings, d = c.HiddenSize, rows = batch * length, headDim = d / c.NumAttentionHeads;
        var q = ReferenceMath.Linear(x, rows, d, w(p + ".q_proj.weight"), w(p + ".q_proj.bias"), d);
        var k = ReferenceMath.Linear(x, rows, d, w(p + ".k_proj.weight"), w(p + ".k_proj.bias"), d);
        var v = ReferenceMath.Linear(x, rows, d, w(p + ".v_proj.weight"), w(p + ".v_proj.bias"), d);
        var scale = Math.Pow(headDim, -0.5);
        var output = new float[rows * d];
        for (var b = 0; b < batch; b++)
        {
            for (var head = 0; head < c.NumAttentionHeads; head++)
            {
                for (var i = 0; i < length; i++)
                {
                    var weights = new double[i + 1]; // masked positions j > i get weight exp(finfo.min - max) = 0
                    for (var j = 0; j <= i; j++)
                    {
                        double dot = 0;
                        for (var e = 0; e < headDim; e++)
                        {
                            dot += (double)q[(b * length + i) * d + head * headDim + e] * k[(b * length + j) * d + head * headDim + e];
                        }

                        weights[j] = dot * scale;
                    }

                    ReferenceMath.Softmax(weights);
                    for (var e = 0; e < headDim; e++)
                    {
                        double sum = 0;
                        for (var j = 0; j <= i; j++)
                        {
                            sum += weights[j] * v[(b * length + j) * d + head * headDim + e];
                        }

                        output[(b * length + i) * d + head * headDim + e] = (float)sum;
                    }
                }
            }
        }

        return ReferenceMath.Linear(output, rows, d, w(p + ".out_proj.weight"), w(p + ".out_proj.bias"), d);
    }
}
