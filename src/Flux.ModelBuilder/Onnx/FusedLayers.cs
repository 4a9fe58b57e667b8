namespace Flux.ModelBuilder.Onnx;

/// <summary>
/// The FLUX transformer's hot paths as ONNX Runtime's fused kernels, each of which has a CPU and a CUDA
/// kernel in ONNX Runtime 1.32 (docs/ContribOperators.md): MultiHeadAttention, RotaryEmbedding and
/// FastGelu in the com.microsoft domain, SimplifiedLayerNormalization (RMSNorm) in the default domain.
/// Every method states the plain formula of <see cref="Layers"/> it replaces; the fused graph agrees
/// with the plain one within float rounding (tests/Flux.ModelBuilder.Tests/FusedGraphTests.cs).
/// Attention tensors stay in (B, S, heads·D) order throughout, so no Transpose is left in a block.
/// </summary>
internal static class FusedLayers
{
    /// <summary>RMSNorm x·rsqrt(mean(x²) + eps)·scale over the last axis (BFL layers.py RMSNorm), any leading shape.</summary>
    public static string RmsNormFused(this GraphBuilder g, string x, string scaleName, long width, float epsilon = Layers.FluxNormEpsilon)
    {
        var scale = g.Trained(scaleName, ParameterInit.NearOne(), width);
        return g.Op("SimplifiedLayerNormalization", [x, scale], Attr.Int("axis", -1), Attr.Float("epsilon", epsilon));
    }

    /// <summary>GELU with the tanh approximation (PyTorch approximate="tanh"), as FastGelu.</summary>
    public static string FastGelu(this GraphBuilder g, string x) => g.ContribOp("FastGelu", [x]);

    /// <summary>gelu_tanh(x W^T + b): the linear layer's bias is FastGelu's bias input.</summary>
    public static string LinearFastGelu(this GraphBuilder g, string x, string prefix, long inFeatures, long outFeatures) =>
        g.ContribOp("FastGelu", [g.Projection(x, prefix, inFeatures, outFeatures), g.LinearBias(prefix, inFeatures, outFeatures)]);

    /// <summary>
    /// BFL math.py <c>attention</c> on (B, S, heads·D) tensors: <c>apply_rope</c> on q and k (RotaryEmbedding with
    /// interleaved pairs; the cos/sin caches hold one row per token, so position ids are 0..S-1), then
    /// softmax(q kᵀ / sqrt(D)) v (MultiHeadAttention). Returns (B, S, heads·D).
    /// </summary>
    public static string RopeAttention(this GraphBuilder g, string q, string k, string v, (string Cos, string Sin) cache, long heads)
    {
        var firstPosition = g.Int64s(0);   // position_ids of shape (1): token s uses cache row s
        string Rotate(string x) => g.ContribOp("RotaryEmbedding", [x, firstPosition, cache.Cos, cache.Sin],
            Attr.Int("interleaved", 1), Attr.Int("num_heads", heads));
        return g.ContribOp("MultiHeadAttention", [Rotate(q), Rotate(k), v], Attr.Int("num_heads", heads));
    }
}
