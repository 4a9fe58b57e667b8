using Flux.Core;
using Flux.ModelBuilder.Tiny;

namespace Flux.Benchmarks.Perf;

/// <summary>
/// Floating-point operations of one transformer evaluation (B = 1) from the shapes, counting matrix
/// products only (2 FLOPs per multiply-add; norms, RoPE, softmax and GELU are O(S*H) and left out).
/// H hidden width, M = 4H MLP width, L image tokens, T text tokens, S = L + T, Dt T5 width.
/// <list type="bullet">
/// <item>double-stream block: 2 * [(L + T)(4H^2 + 2HM) + 2 S^2 H + 12 H^2]  (qkv 3H^2 + proj H^2 + MLP 2HM per token, per stream; QK^T and AV over S; two 6H-wide modulations)</item>
/// <item>single-stream block: 2 * [S (4H^2 + 2HM) + 2 S^2 H + 3 H^2]  (linear1 H(3H + M) + linear2 (H + M)H per token; attention; one 3H-wide modulation)</item>
/// <item>embedders and final layer: 2 * [64 H L + Dt H T + (256 + 768 (+256 dev)) H + 2 (or 3) H^2 + 2 H^2 + 64 H L]</item>
/// </list>
/// With M = 4H both blocks cost 2 * (12 H^2 S' + 2 S^2 H): FLUX.1 (H = 3072, 19 + 38 blocks) at 1024x1024
/// (L = 4096, T = 256) is 69.5 TFLOP per step.
/// </summary>
internal static class TransformerFlops
{
    public static double DoubleBlock(TinyFluxOptions o, long imageTokens)
    {
        double h = o.HiddenSize, m = o.MlpWidth, s = imageTokens + o.TextLength;
        return 2 * ((s * ((4 * h * h) + (2 * h * m))) + (2 * s * s * h) + (12 * h * h));
    }

    public static double SingleBlock(TinyFluxOptions o, long imageTokens)
    {
        double h = o.HiddenSize, m = o.MlpWidth, s = imageTokens + o.TextLength;
        return 2 * ((s * ((4 * h * h) + (2 * h * m))) + (2 * s * s * h) + (3 * h * h));
    }

    public static double Embedders(TinyFluxOptions o, long imageTokens)
    {
        double h = o.HiddenSize;
        double embeddings = (TinyFluxOptions.TimestepEmbeddingWidth + TinyFluxOptions.PooledWidth) * h + (2 * h * h);
        if (o.Variant == FluxVariant.Dev)
        {
            embeddings += (TinyFluxOptions.TimestepEmbeddingWidth * h) + (h * h);
        }

        return 2 * ((2.0 * FluxConstants.PackedChannels * h * imageTokens) + ((double)o.T5Width * h * o.TextLength) + embeddings + (2 * h * h));
    }

    public static double PerStep(TinyFluxOptions o, long imageTokens) =>
        Embedders(o, imageTokens) + (o.DoubleBlocks * DoubleBlock(o, imageTokens)) + (o.SingleBlocks * SingleBlock(o, imageTokens));

    /// <summary>FLUX.1's transformer: width 3072, 24 heads, 19 double + 38 single blocks, T5 width 4096.</summary>
    public static TinyFluxOptions Flux1(FluxVariant variant) => TinyFluxOptions.FluxWidth with { Variant = variant, DoubleBlocks = 19, SingleBlocks = 38 };
}
