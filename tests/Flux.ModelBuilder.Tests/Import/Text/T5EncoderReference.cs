using Flux.ModelBuilder.Import.Text;

namespace Flux.ModelBuilder.Tests.Import.Text;

/// <summary>
/// transformers models/t5/modeling_t5.py T5EncoderModel.forward (no attention mask) restated loop by loop in C#
/// from the Python (T5Stack, T5Block, T5LayerSelfAttention, T5Attention, T5LayerFF, T5DenseGatedActDense /
/// T5DenseActDense, T5LayerNorm), not from our graph code. The relative-position buckets are computed per (i, j)
/// by <see cref="RelativePositionBucket"/>, a separate restatement of T5Attention._relative_position_bucket.
/// </summary>
internal static class T5EncoderReference
{
    public static float[] Forward(T5Config c, Func<string, float[]> w, string embeddingKey, long[] ids, int batch, int length)
    {
        int d = c.DModel, rows = batch * length;

        // T5Stack.forward: inputs_embeds = self.embed_tokens(input_ids) (dropout is the identity at inference).
        var table = w(embeddingKey);
        var h = new float[rows * d];
        for (var r = 0; r < rows; r++)
        {
            Array.Copy(table, ids[r] * d, h, r * d, d);
        }

        // T5Attention.compute_bias in block 0 (has_relative_attention_bias=bool(i == 0)); T5Stack.forward passes
        // that position_bias on to every later block.
        var bias = PositionBias(c, w("encoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight"), length);
        for (var block = 0; block < c.NumLayers; block++)
        {
            var p = $"encoder.block.{block}.layer";

            // T5LayerSelfAttention.forward: hidden_states + SelfAttention(layer_norm(hidden_states)).
            var normed = LayerNorm(h, rows, d, w(p + ".0.layer_norm.weight"), c.LayerNormEpsilon);
            h = ReferenceMath.Add(h, Attention(c, w, p + ".0.SelfAttention", normed, bias, batch, length));

            // T5LayerFF.forward: hidden_states + DenseReluDense(layer_norm(hidden_states)).
            normed = LayerNorm(h, rows, d, w(p + ".1.layer_norm.weight"), c.LayerNormEpsilon);
            h = ReferenceMath.Add(h, FeedForward(c, w, p + ".1.DenseReluDense", normed, rows));
        }

        // T5Stack.forward: final_layer_norm.
        return LayerNorm(h, rows, d, w("encoder.final_layer_norm.weight"), c.LayerNormEpsilon);
    }

    /// <summary>T5LayerNorm.forward: variance = mean(x^2) (no mean subtracted); weight * x * rsqrt(variance + eps).</summary>
    public static float[] LayerNorm(float[] x, int rows, int width, float[] weight, float eps)
    {
        var y = new float[x.Length];
        for (var r = 0; r < rows; r++)
        {
            double variance = 0;
            for (var i = 0; i < width; i++)
            {
                variance += (double)x[r * width + i] * x[r * width + i];
            }

            variance /= width;
            for (var i = 0; i < width; i++)
            {
                y[r * width + i] = (float)(weight[i] * (x[r * width + i] / Math.Sqrt(variance + eps)));
            }
        }

        return y;
    }

    /// <summary>
    /// T5Attention._relative_position_bucket(relative_position, bidirectional=True, num_buckets, max_distance), in
    /// PyTorch's float32 arithmetic for the logarithmic part.
    /// </summary>
    public static int RelativePositionBucket(int relativePosition, int numBuckets, int maxDistance)
    {
        var relativeBuckets = 0;
        numBuckets /= 2;                                                  // if bidirectional: num_buckets //= 2
        relativeBuckets += relativePosition > 0 ? numBuckets : 0;         // (relative_position > 0) * num_buckets
        relativePosition = Math.Abs(relativePosition);
        var maxExact = numBuckets / 2;
        var isSmall = relativePosition < maxExact;
        if (isSmall)
        {
            return relativeBuckets + relativePosition;
        }

        // max_exact + (log(rp.float() / max_exact) / math.log(max_distance / max_exact) * (num_buckets - max_exact)).to(long)
        var ifLarge = maxExact + (int)(MathF.Log((float)relativePosition / maxExact) / (float)Math.Log(maxDistance / (double)maxExact) * (numBuckets - maxExact));
        return relativeBuckets + Math.Min(ifLarge, numBuckets - 1);
    }

    /// <summary>T5Attention.compute_bias: values[h, i, j] = relative_attention_bias[bucket(j - i), h].</summary>
    private static double[] PositionBias(T5Config c, float[] embedding, int length)
    {
        var bias = new double[c.NumHeads * length * length];
        for (var i = 0; i < length; i++)
        {
            for (var j = 0; j < length; j++)
            {
                var bucket = RelativePositionBucket(j - i, c.RelativeAttentionNumBuckets, c.RelativeAttentionMaxDistance); // memory - context
                for (var head = 0; head < c.NumHeads; head++)
                {
                    bias[(head * length + i) * length + j] = embedding[bucket * c.NumHeads + head];
                }
            }
        }

        return bias;
    }

    /// <summary>T5Attention.forward: scores = q k^T (no scaling); scores += position_bias; softmax; attn v; o.</summary>
    private static float[] Attention(T5Config c, Func<string, float[]> w, string p, float[] x, double[] bias, int batch, int length)
    {
        int d = c.DModel, inner = c.NumHeads * c.DKv, rows = batch * length;
        var q = ReferenceMath.Linear(x, rows, d, w(p + ".q.weight"), null, inner);
        var k = ReferenceMath.Linear(x, rows, d, w(p + ".k.weight"), null, inner);
        var v = ReferenceMath.Linear(x, rows, d, w(p + ".v.weight"), null, inner);
        var output = new float[rows * inner];
        for (var b = 0; b < batch; b++)
        {
            for (var head = 0; head < c.NumHeads; head++)
            {
                for (var i = 0; i < length; i++)
                {
                    var scores = new double[length];
                    for (var j = 0; j < length; j++)
                    {
                        double dot = 0;
                        for (var e = 0; e < c.DKv; e++)
                        {
                            dot += (double)q[(b * length + i) * inner + head * c.DKv + e] * k[(b * length + j) * inner + head * c.DKv + e];
                        }

                        scores[j] = dot + bias[(head * length + i) * length + j];
                    }

                    ReferenceMath.Softmax(scores);
                    for (var e = 0; e < c.DKv; e++)
                    {
                        double sum = 0;
                        for (var j = 0; j < length; j++)
                        {
                            sum += scores[j] * v[(b * length + j) * inner + head * c.DKv + e];
                        }

                        output[(b * length + i) * inner + head * c.DKv + e] = (float)sum;
                    }
                }
            }
        }

        return ReferenceMath.Linear(output, rows, inner, w(p + ".o.weight"), null, d);
    }

    /// <summary>T5DenseGatedActDense.forward: wo(act(wi_0(x)) * wi_1(x)); T5DenseActDense.forward: wo(act(wi(x))).</summary>
    private static float[] FeedForward(T5Config c, Func<string, float[]> w, string p, float[] x, int rows)
    {
        Func<double, double> act = c.DenseActFn switch
        {
            "gelu_new" => ReferenceMath.GeluNew,
            "gelu" => ReferenceMath.Gelu,
            "relu" => v => Math.Max(v, 0.0),
            _ => throw new NotSupportedException(c.DenseActFn),
        };
        float[] hidden;
        if (c.IsGatedAct)
        {
            var gate = ReferenceMath.Linear(x, rows, c.DModel, w(p + ".wi_0.weight"), null, c.DFf);
            var linear = ReferenceMath.Linear(x, rows, c.DModel, w(p + ".wi_1.weight"), null, c.DFf);
            hidden = gate.Zip(linear, (g, l) => (float)(act(g) * l)).ToArray();
        }
        else
        {
            hidden = ReferenceMath.Linear(x, rows, c.DModel, w(p + ".wi.weight"), null, c.DFf).Select(v => (float)act(v)).ToArray();
        }

        return ReferenceMath.Linear(hidden, rows, c.DFf, w(p + ".wo.weight"), null, c.DModel);
    }
}
