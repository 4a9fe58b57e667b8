namespace Flux.ModelBuilder.Onnx.Int4;

/// <summary>The weight half of a Linear layer as ONNX Runtime's MatMulNBits (com.microsoft; CPU and CUDA kernels).</summary>
internal static class Int4Layers
{
    /// <summary>
    /// x W^T with W (out, in) named <c>{prefix}.weight</c> stored as 4-bit blocks: MatMulNBits(x, B, scales, zero_points)
    /// with K = in, N = out, bits = 4 (docs/ContribOperators.md). The weight's fp32 values come from the graph's
    /// parameter source (a checkpoint's tensor with LoRA merged, or the built-in random values) and are never an initializer.
    /// The bias stays a separate Add (or FastGelu's bias input), as ONNX Runtime's own quantizer leaves it.
    /// </summary>
    public static string QuantizedProjection(this GraphBuilder g, string x, string prefix, long inFeatures, long outFeatures, ParameterInit init, Int4Quantization int4)
    {
        var weight = new QuantizedLinear(g.TrainedValues(prefix + ".weight", init, outFeatures, inFeatures), int4.BlockSize);
        var blocks = g.TrainedDerived(prefix + ".weight.int4_blocks", weight.Blocks);
        var scales = g.TrainedDerived(prefix + ".weight.int4_scales", weight.Scales);
        var zeroPoints = g.TrainedDerived(prefix + ".weight.int4_zero_points", weight.ZeroPoints);
        return g.ContribOp("MatMulNBits", [x, blocks, scales, zeroPoints],
            Attr.Int("K", inFeatures), Attr.Int("N", outFeatures), Attr.Int("bits", 4), Attr.Int("block_size", int4.BlockSize),
            Attr.Int("accuracy_level", int4.AccuracyLevel));
    }
}
