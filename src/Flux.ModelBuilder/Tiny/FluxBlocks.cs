using Flux.ModelBuilder.Onnx;

namespace Flux.ModelBuilder.Tiny;

/// <summary>
/// DoubleStreamBlock and SingleStreamBlock of BFL's modules/layers.py, as ONNX nodes. The plain graph keeps
/// attention heads as (B, heads, S, D) and spells every formula in standard operators; the fused graph
/// (<see cref="TransformerGraph.Fused"/>) keeps (B, S, heads·D) and uses ONNX Runtime's kernels
/// (<see cref="FusedLayers"/>). Both compute the same function.
/// </summary>
internal sealed class FluxBlocks
{
    private readonly GraphBuilder g;
    private readonly string siluVec;
    private readonly (string Cos, string Sin) _rope;   // plain: (S, D/2, 1) each; fused: (S, D/2) each
    private readonly bool _fused;
    private readonly long _hidden;
    private readonly long _heads;
    private readonly long _headDim;
    private readonly long _mlp;
    private readonly long _textLength;

    /// <param name="rope">cos and sin of every token's RoPE angles, (S, D/2) each (<see cref="Rope.Angles"/>).</param>
    public FluxBlocks(GraphBuilder g, TinyFluxOptions o, string siluVec, (string Cos, string Sin) rope)
    {
        this.g = g;
        this.siluVec = siluVec;
        _fused = o.Graph == TransformerGraph.Fused;
        _rope = _fused ? rope : (g.Unsqueeze(rope.Cos, -1), g.Unsqueeze(rope.Sin, -1));
        _hidden = o.HiddenSize;
        _heads = o.HeadCount;
        _headDim = o.HeadDim;
        _mlp = o.MlpWidth;
        _textLength = o.TextLength;
    }

    /// <summary>(1 + scale) * x + shift, on an already normalised x.</summary>
    public static string Modulate(GraphBuilder g, string normalized, string shift, string scale) =>
        g.Op("Add", [g.Op("Mul", [normalized, g.Op("Add", [scale, g.Scalar(1f)])]), shift]);

    /// <summary>Separate weights for image and text tokens, one joint attention over [txt, img].</summary>
    public (string Img, string Txt) DoubleStream(string prefix, string img, string txt)
    {
        var imgMod = Modulation(prefix + ".img_mod", 6); // shift1, scale1, gate1, shift2, scale2, gate2
        var txtMod = Modulation(prefix + ".txt_mod", 6);
        var (imgQ, imgK, imgV) = QueryKeyValue(prefix + ".img_attn", Modulate(g, g.LayerNormPlain(img, _hidden), imgMod[0], imgMod[1]));
        var (txtQ, txtK, txtV) = QueryKeyValue(prefix + ".txt_attn", Modulate(g, g.LayerNormPlain(txt, _hidden), txtMod[0], txtMod[1]));
        var attention = Attention(Concat2(txtQ, imgQ), Concat2(txtK, imgK), Concat2(txtV, imgV)); // (B, T+L, H)
        var txtAttention = g.Op("Slice", [attention, g.Int64s(0), g.Int64s(_textLength), g.Int64s(1)]); // (B, T, H)
        var imgAttention = g.Op("Slice", [attention, g.Int64s(_textLength), g.Int64s(long.MaxValue), g.Int64s(1)]); // (B, L, H)

        img = Residual(img, imgMod[2], g.Linear(imgAttention, prefix + ".img_attn.proj", _hidden, _hidden));
        img = Residual(img, imgMod[5], Mlp(prefix + ".img_mlp", Modulate(g, g.LayerNormPlain(img, _hidden), imgMod[3], imgMod[4])));
        txt = Residual(txt, txtMod[2], g.Linear(txtAttention, prefix + ".txt_attn.proj", _hidden, _hidden));
        txt = Residual(txt, txtMod[5], Mlp(prefix + ".txt_mlp", Modulate(g, g.LayerNormPlain(txt, _hidden), txtMod[3], txtMod[4])));
        return (img, txt);
    }

    /// <summary>Parallel attention and MLP from one fused linear1, joined by linear2.</summary>
    public string SingleStream(string prefix, string x)
    {
        var mod = Modulation(prefix + ".modulation", 3); // shift, scale, gate
        var xMod = Modulate(g, g.LayerNormPlain(x, _hidden), mod[0], mod[1]);
        var fused = g.SplitWidths(g.Linear(xMod, prefix + ".linear1", _hidden, 3 * _hidden + _mlp), 3 * _hidden, _mlp);
        var (q, k, v) = NormedHeads(prefix, g.Chunk(fused[0], 3, _hidden));
        var attention = Attention(q, k, v); // (B, S, H)
        var gelu = _fused ? g.FastGelu(fused[1]) : g.GeluTanh(fused[1]);
        var joined = g.Op("Concat", [attention, gelu], Attr.Int("axis", -1)); // (B, S, H + M)
        return Residual(x, mod[2], g.Linear(joined, prefix + ".linear2", _hidden + _mlp, _hidden));
    }

    /// <summary>Modulation: lin(silu(vec)) split into chunks of width H, each (B, 1, H).</summary>
    private string[] Modulation(string prefix, int chunks) =>
        g.Chunk(g.Unsqueeze(g.Linear(siluVec, prefix + ".lin", _hidden, chunks * _hidden), 1), chunks, _hidden);

    /// <summary>SelfAttention.qkv then QKNorm; see <see cref="NormedHeads"/> for the layout.</summary>
    private (string Q, string K, string V) QueryKeyValue(string prefix, string x) =>
        NormedHeads(prefix, g.Chunk(g.Linear(x, prefix + ".qkv", _hidden, 3 * _hidden), 3, _hidden)); // B L (K H D), K outermost

    /// <summary>
    /// QKNorm (RMSNorm per head on q and k) of (B, S, H) chunks q, k, v. Plain: each (B, heads, S, D).
    /// Fused: q and k normalised as (B, S, heads, D) and returned, like v, as (B, S, H).
    /// </summary>
    private (string Q, string K, string V) NormedHeads(string prefix, string[] qkv)
    {
        if (!_fused)
        {
            var q = g.RmsNorm(g.SplitHeads(qkv[0], _heads, _headDim), prefix + ".norm.query_norm.scale", _headDim);
            var k = g.RmsNorm(g.SplitHeads(qkv[1], _heads, _headDim), prefix + ".norm.key_norm.scale", _headDim);
            return (q, k, g.SplitHeads(qkv[2], _heads, _headDim));
        }

        string PerHead(string x, string scaleName) => g.Op("Reshape",
            [g.RmsNormFused(g.Op("Reshape", [x, g.Int64s(0, 0, _heads, _headDim)]), scaleName, _headDim), g.Int64s(0, 0, _hidden)]);
        return (PerHead(qkv[0], prefix + ".norm.query_norm.scale"), PerHead(qkv[1], prefix + ".norm.key_norm.scale"), qkv[2]);
    }

    /// <summary>BFL math.attention: RoPE on q and k, scaled dot product, heads merged. -> (B, S, H).</summary>
    private string Attention(string q, string k, string v)
    {
        if (_fused)
        {
            return g.RopeAttention(q, k, v, _rope, _heads);
        }

        var attended = g.ScaledDotProductAttention(Rope.Apply(g, q, _rope, _headDim), Rope.Apply(g, k, _rope, _headDim), v, _headDim);
        return g.MergeHeads(attended, _heads, _headDim);
    }

    private string Mlp(string prefix, string x)
    {
        var hidden = _fused ? g.LinearFastGelu(x, prefix + ".0", _hidden, _mlp) : g.GeluTanh(g.Linear(x, prefix + ".0", _hidden, _mlp));
        return g.Linear(hidden, prefix + ".2", _mlp, _hidden);
    }

    private string Residual(string x, string gate, string update) => g.Op("Add", [x, g.Op("Mul", [gate, update])]);

    /// <summary>[txt, img] along the sequence axis: 2 in (B, heads, S, D), 1 in (B, S, H).</summary>
    private string Concat2(string first, string second) => g.Op("Concat", [first, second], Attr.Int("axis", _fused ? 1 : 2));
}
