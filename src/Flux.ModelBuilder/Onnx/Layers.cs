using Flux.ModelBuilder.Onnx.Int4;

namespace Flux.ModelBuilder.Onnx;

/// <summary>
/// Neural-network building blocks written as ONNX nodes. Weights keep PyTorch's layout
/// (Linear: (out, in)) and state-dict names, so real checkpoints can be dropped in by name.
/// </summary>
internal static class Layers
{
    public const float FluxNormEpsilon = 1e-6f;

    /// <summary>y = x W^T + b, W (out, in) named <c>{prefix}.weight</c>, b <c>{prefix}.bias</c>.</summary>
    public static string Linear(this GraphBuilder g, string x, string prefix, long inFeatures, long outFeatures, bool bias = true)
    {
        var y = g.Projection(x, prefix, inFeatures, outFeatures);
        return bias ? g.Op("Add", [y, g.LinearBias(prefix, inFeatures, outFeatures)]) : y;
    }

    /// <summary>x W^T, the weight half of <see cref="Linear"/> (for kernels that take the bias themselves).</summary>
    public static string Projection(this GraphBuilder g, string x, string prefix, long inFeatures, long outFeatures)
    {
        if (g.LinearQuantization is { } quantization && quantization.Applies(prefix))
        {
            return g.QuantizedProjection(x, prefix, inFeatures, outFeatures, LinearInit(inFeatures), quantization.Int4); // int4 blocks
        }

        var weight = g.Trained(prefix + ".weight", LinearInit(inFeatures), outFeatures, inFeatures);
        if (g.Graph.Node.Count > 0 && g.Graph.Node[^1] is { OpType: "Cast" } widen && widen.Output[0] == weight)
        {
            // A weight stored in fp16/bf16 (Cast to fp32 after it): transpose the stored values, then widen. ONNX
            // Runtime folds both at session creation and frees the intermediate only afterwards, so the intermediate
            // is half-size here instead of a second fp32 copy (docs/benchmarks.md, "Import (issue 12)").
            g.Graph.Node.RemoveAt(g.Graph.Node.Count - 1);
            var transposed = g.Op("Transpose", [widen.Input[0]], Attr.Ints("perm", 1, 0));
            return g.Op("MatMul", [x, g.Op("Cast", [transposed], Attr.Int("to", (long)global::Onnx.TensorProto.Types.DataType.Float))]);
        }

        return g.Op("MatMul", [x, g.Op("Transpose", [weight], Attr.Ints("perm", 1, 0))]);
    }

    /// <summary>The bias b (out) of the linear layer <paramref name="prefix"/>.</summary>
    public static string LinearBias(this GraphBuilder g, string prefix, long inFeatures, long outFeatures) =>
        g.Trained(prefix + ".bias", LinearInit(inFeatures), outFeatures);

    /// <summary>PyTorch's default Linear initialisation range, 1/sqrt(fan_in).</summary>
    private static ParameterInit LinearInit(long inFeatures) => ParameterInit.Uniform(1.0 / Math.Sqrt(inFeatures));

    /// <summary>LayerNorm over the last axis without learned affine (BFL: elementwise_affine=False).</summary>
    public static string LayerNormPlain(this GraphBuilder g, string x, long width, float epsilon = FluxNormEpsilon)
    {
        var ones = g.SharedConstant($"ones.{width}", () => Enumerable.Repeat(1f, (int)width).ToArray(), width);
        return g.Op("LayerNormalization", [x, ones], Attr.Int("axis", -1), Attr.Float("epsilon", epsilon));
    }

    /// <summary>LayerNorm with <c>{prefix}.weight</c> and <c>{prefix}.bias</c> (CLIP style).</summary>
    public static string LayerNorm(this GraphBuilder g, string x, string prefix, long width, float epsilon = 1e-5f)
    {
        var weight = g.Trained(prefix + ".weight", ParameterInit.NearOne(), width);
        var bias = g.Trained(prefix + ".bias", ParameterInit.Uniform(0.1), width);
        return g.Op("LayerNormalization", [x, weight, bias], Attr.Int("axis", -1), Attr.Float("epsilon", epsilon));
    }

    /// <summary>RMSNorm: x * rsqrt(mean(x^2) + eps) * scale, scale named <paramref name="scaleName"/>.</summary>
    public static string RmsNorm(this GraphBuilder g, string x, string scaleName, long width, float epsilon = FluxNormEpsilon)
    {
        var scale = g.Trained(scaleName, ParameterInit.NearOne(), width);
        var meanSquare = g.Op("ReduceMean", [g.Op("Mul", [x, x])], Attr.Ints("axes", -1), Attr.Int("keepdims", 1));
        var inverseRms = g.Op("Reciprocal", [g.Op("Sqrt", [g.Op("Add", [meanSquare, g.Scalar(epsilon)])])]);
        return g.Op("Mul", [g.Op("Mul", [x, inverseRms]), scale]);
    }

    public static string Silu(this GraphBuilder g, string x) => g.Op("Mul", [x, g.Op("Sigmoid", [x])]);

    /// <summary>GELU, tanh approximation (PyTorch approximate="tanh", as FLUX's MLPs use).</summary>
    public static string GeluTanh(this GraphBuilder g, string x)
    {
        var cube = g.Op("Mul", [g.Op("Mul", [x, x]), x]);
        var inner = g.Op("Mul", [g.Op("Add", [x, g.Op("Mul", [cube, g.Scalar(0.044715f)])]), g.Scalar((float)Math.Sqrt(2.0 / Math.PI))]);
        var gate = g.Op("Mul", [g.Op("Add", [g.Op("Tanh", [inner]), g.Scalar(1f)]), g.Scalar(0.5f)]);
        return g.Op("Mul", [x, gate]);
    }

    /// <summary>CLIP's quick GELU: x * sigmoid(1.702 x).</summary>
    public static string QuickGelu(this GraphBuilder g, string x) =>
        g.Op("Mul", [x, g.Op("Sigmoid", [g.Op("Mul", [x, g.Scalar(1.702f)])])]);

    /// <summary>(B, S, H*D) -> (B, H, S, D).</summary>
    public static string SplitHeads(this GraphBuilder g, string x, long heads, long headDim) =>
        g.Op("Transpose", [g.Op("Reshape", [x, g.Int64s(0, 0, heads, headDim)])], Attr.Ints("perm", 0, 2, 1, 3));

    /// <summary>(B, H, S, D) -> (B, S, H*D).</summary>
    public static string MergeHeads(this GraphBuilder g, string x, long heads, long headDim) =>
        g.Op("Reshape", [g.Op("Transpose", [x], Attr.Ints("perm", 0, 2, 1, 3)), g.Int64s(0, 0, heads * headDim)]);

    /// <summary>softmax(q k^T / sqrt(D) + mask) v on (B, H, S, D) tensors.</summary>
    public static string ScaledDotProductAttention(this GraphBuilder g, string q, string k, string v, long headDim, string? additiveMask = null)
    {
        var scores = g.Op("Mul", [g.Op("MatMul", [q, g.Op("Transpose", [k], Attr.Ints("perm", 0, 1, 3, 2))]), g.Scalar((float)(1.0 / Math.Sqrt(headDim)))]); // (B, H, S, S)
        if (additiveMask is not null)
        {
            scores = g.Op("Add", [scores, additiveMask]);
        }

        return g.Op("MatMul", [g.Op("Softmax", [scores], Attr.Int("axis", -1)), v]); // (B, H, S, D)
    }

    /// <summary>Splits the last axis into equal chunks (torch.chunk).</summary>
    public static string[] Chunk(this GraphBuilder g, string x, int chunks, long chunkWidth, long axis = -1) =>
        g.Ops("Split", [x, g.Int64s(Enumerable.Repeat(chunkWidth, chunks).ToArray())], chunks, Attr.Int("axis", axis));

    /// <summary>Splits the last axis into the given widths (torch.split).</summary>
    public static string[] SplitWidths(this GraphBuilder g, string x, params long[] widths) =>
        g.Ops("Split", [x, g.Int64s(widths)], widths.Length, Attr.Int("axis", -1));

    public static string Unsqueeze(this GraphBuilder g, string x, params long[] axes) => g.Op("Unsqueeze", [x, g.Int64s(axes)]);
}
