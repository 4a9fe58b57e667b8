using Onnx;

namespace Flux.ModelBuilder.Tests;

/// <summary>
/// An independent, naive-loop re-statement of BFL's Flux.forward (black-forest-labs/flux model.py,
/// modules/layers.py, math.py) for one batch item, reading the weights by state-dict name from the
/// ONNX file. It shares no code with the graph builder, so it checks the graph's wiring: chunk
/// orders, txt-before-img concatenation, RoPE pairing, modulation, the final slice.
/// </summary>
public sealed class FluxReferenceForward
{
    private readonly Dictionary<string, float[]> _w;
    private readonly int _hidden;
    private readonly int _heads;
    private readonly int[] _axesDim;

    public FluxReferenceForward(string onnxPath, int hidden, int heads, int[] axesDim)
        : this(ReadInitializers(onnxPath), hidden, heads, axesDim)
    {
    }

    /// <summary>The forward pass over a state dict in BFL naming (for example a checkpoint's tensors, widened to fp32).</summary>
    public FluxReferenceForward(IReadOnlyDictionary<string, float[]> bflStateDict, int hidden, int heads, int[] axesDim)
    {
        _w = new Dictionary<string, float[]>(bflStateDict, StringComparer.Ordinal);
        (_hidden, _heads, _axesDim) = (hidden, heads, axesDim);
    }

    private int HeadDim => _hidden / _heads;

    private static Dictionary<string, float[]> ReadInitializers(string onnxPath)
    {
        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(onnxPath));
        return model.Graph.Initializer.ToDictionary(t => t.Name, t => System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(t.RawData.Span).ToArray());
    }

    /// <summary>img (L, 64), txt (T, Dt), y (768), ids (L, 3) and (T, 3) -> velocity (L, 64).</summary>
    public float[] Forward(float[] img, float[] imgIds, float[] txt, float[] txtIds, float t, float[] y, float? guidance, int doubleBlocks, int singleBlocks)
    {
        int l = imgIds.Length / 3, tl = txtIds.Length / 3;
        img = Linear(img, l, "img_in");
        var vec = MlpEmbedder(TimestepEmbedding(t), "time_in");
        if (guidance is { } g)
        {
            vec = Add(vec, MlpEmbedder(TimestepEmbedding(g), "guidance_in"));
        }

        vec = Add(vec, MlpEmbedder(y, "vector_in"));
        txt = Linear(txt, tl, "txt_in");
        var ids = txtIds.Concat(imgIds).ToArray(); // txt first
        for (var i = 0; i < doubleBlocks; i++)
        {
            (img, txt) = DoubleBlock($"double_blocks.{i}", img, l, txt, tl, vec, ids);
        }

        var x = txt.Concat(img).ToArray();
        for (var i = 0; i < singleBlocks; i++)
        {
            x = SingleBlock($"single_blocks.{i}", x, tl + l, vec, ids);
        }

        img = x[(tl * _hidden)..];
        var mod = Linear(Silu(vec), 1, "final_layer.adaLN_modulation.1"); // shift, scale
        return Linear(Modulate(LayerNorm(img, l), l, mod, 0, 1), l, "final_layer.linear");
    }

    private (float[] Img, float[] Txt) DoubleBlock(string p, float[] img, int l, float[] txt, int tl, float[] vec, float[] ids)
    {
        var im = Linear(Silu(vec), 1, p + ".img_mod.lin"); // shift1, scale1, gate1, shift2, scale2, gate2
        var tm = Linear(Silu(vec), 1, p + ".txt_mod.lin");
        var imgQkv = Linear(Modulate(LayerNorm(img, l), l, im, 0, 1), l, p + ".img_attn.qkv");
        var txtQkv = Linear(Modulate(LayerNorm(txt, tl), tl, tm, 0, 1), tl, p + ".txt_attn.qkv");
        var attention = Attention([.. txtQkv, .. imgQkv], p + ".txt_attn", p + ".img_attn", tl, ids);
        var txtAttention = attention[..(tl * _hidden)];
        var imgAttention = attention[(tl * _hidden)..];

        img = Add(img, Gate(Linear(imgAttention, l, p + ".img_attn.proj"), l, im, 2));
        img = Add(img, Gate(Mlp(Modulate(LayerNorm(img, l), l, im, 3, 4), l, p + ".img_mlp"), l, im, 5));
        txt = Add(txt, Gate(Linear(txtAttention, tl, p + ".txt_attn.proj"), tl, tm, 2));
        txt = Add(txt, Gate(Mlp(Modulate(LayerNorm(txt, tl), tl, tm, 3, 4), tl, p + ".txt_mlp"), tl, tm, 5));
        return (img, txt);
    }

    private float[] SingleBlock(string p, float[] x, int s, float[] vec, float[] ids)
    {
        var mod = Linear(Silu(vec), 1, p + ".modulation.lin"); // shift, scale, gate
        var fused = Linear(Modulate(LayerNorm(x, s), s, mod, 0, 1), s, p + ".linear1");
        int width = fused.Length / s, mlp = width - 3 * _hidden;
        var qkv = new float[s * 3 * _hidden];
        var hiddenMlp = new float[s * mlp];
        for (var r = 0; r < s; r++)
        {
            Array.Copy(fused, r * width, qkv, r * 3 * _hidden, 3 * _hidden);
            Array.Copy(fused, r * width + 3 * _hidden, hiddenMlp, r * mlp, mlp);
        }

        var attention = Attention(qkv, p, p, s, ids, singleStream: true);
        var joined = new float[s * (_hidden + mlp)];
        var activated = hiddenMlp.Select(GeluTanh).ToArray();
        for (var r = 0; r < s; r++)
        {
            Array.Copy(attention, r * _hidden, joined, r * (_hidden + mlp), _hidden);
            Array.Copy(activated, r * mlp, joined, r * (_hidden + mlp) + _hidden, mlp);
        }

        return Add(x, Gate(Linear(joined, s, p + ".linear2"), s, mod, 2));
    }

    /// <summary>qkv rows (S, 3H) laid out "(K H D)"; QKNorm per head (txt rows use <paramref name="txtPrefix"/>), RoPE, softmax attention.</summary>
    private float[] Attention(float[] qkv, string txtPrefix, string imgPrefix, int txtRows, float[] ids, bool singleStream = false)
    {
        int s = ids.Length / 3, d = HeadDim;
        var output = new float[s * _hidden];
        for (var h = 0; h < _heads; h++)
        {
            var q = new double[s][];
            var k = new double[s][];
            for (var r = 0; r < s; r++)
            {
                var prefix = singleStream || r < txtRows ? txtPrefix : imgPrefix;
                q[r] = Rope(RmsNorm(qkv.AsSpan(r * 3 * _hidden + h * d, d), prefix + ".norm.query_norm.scale"), ids.AsSpan(3 * r, 3));
                k[r] = Rope(RmsNorm(qkv.AsSpan(r * 3 * _hidden + _hidden + h * d, d), prefix + ".norm.key_norm.scale"), ids.AsSpan(3 * r, 3));
            }

            for (var r = 0; r < s; r++)
            {
                var scores = Enumerable.Range(0, s).Select(c => q[r].Zip(k[c], (a, b) => a * b).Sum() / Math.Sqrt(d)).ToArray();
                var max = scores.Max();
                var weights = scores.Select(x => Math.Exp(x - max)).ToArray();
                var total = weights.Sum();
                for (var j = 0; j < d; j++)
                {
                    double sum = 0;
                    for (var c = 0; c < s; c++)
                    {
                        sum += weights[c] / total * qkv[c * 3 * _hidden + 2 * _hidden + h * d + j];
                    }

                    output[r * _hidden + h * d + j] = (float)sum;
                }
            }
        }

        return output;
    }

    /// <summary>math.rope/apply_rope: pair (x[2j], x[2j+1]) of axis i rotated by ids[i] * theta^(-2j'/d_i).</summary>
    private double[] Rope(double[] x, ReadOnlySpan<float> position)
    {
        var rotated = new double[x.Length];
        var pair = 0;
        for (var axis = 0; axis < _axesDim.Length; axis++)
        {
            for (var j = 0; j < _axesDim[axis] / 2; j++, pair++)
            {
                var angle = position[axis] * Math.Pow(10_000, -2.0 * j / _axesDim[axis]);
                var (a, b) = (x[2 * pair], x[2 * pair + 1]);
                rotated[2 * pair] = Math.Cos(angle) * a - Math.Sin(angle) * b;
                rotated[2 * pair + 1] = Math.Sin(angle) * a + Math.Cos(angle) * b;
            }
        }

        return rotated;
    }

    private double[] RmsNorm(ReadOnlySpan<float> x, string scale)
    {
        double meanSquare = 0;
        foreach (var v in x)
        {
            meanSquare += (double)v * v;
        }

        var inverse = 1 / Math.Sqrt(meanSquare / x.Length + 1e-6);
        var result = new double[x.Length];
        for (var i = 0; i < x.Length; i++)
        {
            result[i] = x[i] * inverse * _w[scale][i];
        }

        return result;
    }

    private static float[] TimestepEmbedding(float t)
    {
        const int half = 128;
        var embedding = new float[2 * half];
        for (var i = 0; i < half; i++)
        {
            var arg = 1000.0 * t * Math.Exp(-Math.Log(10_000) * i / half);
            embedding[i] = (float)Math.Cos(arg);
            embedding[half + i] = (float)Math.Sin(arg);
        }

        return embedding;
    }

    private float[] MlpEmbedder(float[] x, string p) => Linear(Silu(Linear(x, 1, p + ".in_layer")), 1, p + ".out_layer");

    private float[] Mlp(float[] x, int rows, string p) => Linear(Linear(x, rows, p + ".0").Select(GeluTanh).ToArray(), rows, p + ".2");

    /// <summary>(1 + scale) * x + shift, with shift and scale chunks of the modulation vector.</summary>
    private float[] Modulate(float[] x, int rows, float[] mod, int shiftChunk, int scaleChunk) =>
        [.. x.Select((v, i) => (1 + mod[scaleChunk * _hidden + i % _hidden]) * v + mod[shiftChunk * _hidden + i % _hidden])];

    private float[] Gate(float[] x, int rows, float[] mod, int gateChunk) => [.. x.Select((v, i) => mod[gateChunk * _hidden + i % _hidden] * v)];

    private float[] Linear(float[] x, int rows, string p)
    {
        var bias = _w[p + ".bias"];
        int outWidth = bias.Length, inWidth = x.Length / rows;
        var weight = _w[p + ".weight"];
        var y = new float[rows * outWidth];
        for (var r = 0; r < rows; r++)
        {
            for (var o = 0; o < outWidth; o++)
            {
                double sum = bias[o];
                for (var i = 0; i < inWidth; i++)
                {
                    sum += (double)weight[o * inWidth + i] * x[r * inWidth + i];
                }

                y[r * outWidth + o] = (float)sum;
            }
        }

        return y;
    }

    private static float[] LayerNorm(float[] x, int rows)
    {
        var width = x.Length / rows;
        var y = new float[x.Length];
        for (var r = 0; r < rows; r++)
        {
            var row = x.AsSpan(r * width, width);
            double mean = 0, variance = 0;
            foreach (var v in row)
            {
                mean += v;
            }

            mean /= width;
            foreach (var v in row)
            {
                variance += (v - mean) * (v - mean);
            }

            variance /= width;
            for (var i = 0; i < width; i++)
            {
                y[r * width + i] = (float)((row[i] - mean) / Math.Sqrt(variance + 1e-6));
            }
        }

        return y;
    }

    private static float[] Add(float[] a, float[] b) => [.. a.Zip(b, (x, y) => x + y)];

    private static float[] Silu(float[] x) => [.. x.Select(v => (float)(v / (1 + Math.Exp(-v))))];

    private static float GeluTanh(float x) => (float)(0.5 * x * (1 + Math.Tanh(Math.Sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x))));
}
