using Flux.ModelBuilder.Onnx;

namespace Flux.ModelBuilder.Import.Vae;

/// <summary>
/// The modules of BFL's AutoEncoder (black-forest-labs/flux src/flux/modules/autoencoder.py) as ONNX
/// nodes at opset 17, parameters named by BFL's state-dict keys in PyTorch layout (Conv2d weight
/// (out, in, kH, kW)). Written by hand because no served library emits ONNX graphs from C#.
/// </summary>
internal static class AutoencoderLayers
{
    /// <summary>autoencoder.py: every <c>nn.GroupNorm(..., eps=1e-6, affine=True)</c>.</summary>
    public const float NormEpsilon = 1e-6f;

    private const int Kernel = 3;

    /// <summary>
    /// <c>nn.GroupNorm(num_groups, C, eps=1e-6)</c>: each (batch, group) of C/G channels x H x W values is
    /// normalised by its own mean and biased variance, then scaled and shifted per channel.
    /// ONNX's GroupNormalization-18 takes its scale and bias per group, not per channel (fixed only in opset
    /// 21, which ONNX Runtime does not run on every provider), so the groups go through InstanceNormalization
    /// — a per-(batch, channel) normalisation — after a reshape to (B, G, C/G*H*W), as PyTorch's own exporter does.
    /// </summary>
    public static string GroupNorm(this GraphBuilder g, string x, string prefix, long channels, long groups)
    {
        var weight = g.Trained(prefix + ".weight", ParameterInit.NearOne(), channels);
        var bias = g.Trained(prefix + ".bias", ParameterInit.Uniform(0.1), channels);
        var ones = g.SharedConstant($"ones.{groups}", () => Enumerable.Repeat(1f, (int)groups).ToArray(), groups);
        var zeros = g.SharedConstant($"zeros.{groups}", () => new float[groups], groups);
        var grouped = g.Op("Reshape", [x, g.Int64s(0, groups, -1)]); // (B, G, C/G * H * W)
        var normalized = g.Op("InstanceNormalization", [grouped, ones, zeros], Attr.Float("epsilon", NormEpsilon));
        var restored = g.Op("Reshape", [normalized, g.Op("Shape", [x])]); // (B, C, H, W)
        return g.Op("Add", [g.Op("Mul", [restored, g.Unsqueeze(weight, 1, 2)]), g.Unsqueeze(bias, 1, 2)]);
    }

    /// <summary>
    /// <c>nn.Conv2d(in, out, kernel_size, stride, padding)</c> with bias; <paramref name="pads"/> is ONNX's
    /// (top, left, bottom, right). PyTorch's default init range 1/sqrt(fan_in) for the built-in random source.
    /// </summary>
    public static string Conv2d(this GraphBuilder g, string x, string prefix, long inChannels, long outChannels, int kernel, int stride, params long[] pads)
    {
        var init = ParameterInit.Uniform(1.0 / Math.Sqrt(inChannels * kernel * kernel));
        var weight = g.Trained(prefix + ".weight", init, outChannels, inChannels, kernel, kernel);
        var bias = g.Trained(prefix + ".bias", init, outChannels);
        return g.Op("Conv", [x, weight, bias],
            Attr.Ints("kernel_shape", kernel, kernel), Attr.Ints("strides", stride, stride), Attr.Ints("pads", pads));
    }

    /// <summary>3x3 convolution, stride 1, padding 1: the shape-keeping conv of every block.</summary>
    public static string Conv3x3(this GraphBuilder g, string x, string prefix, long inChannels, long outChannels) =>
        g.Conv2d(x, prefix, inChannels, outChannels, Kernel, 1, 1, 1, 1, 1);

    /// <summary>1x1 convolution (<c>nin_shortcut</c>, attention's q, k, v, proj_out).</summary>
    public static string Conv1x1(this GraphBuilder g, string x, string prefix, long inChannels, long outChannels) =>
        g.Conv2d(x, prefix, inChannels, outChannels, 1, 1, 0, 0, 0, 0);

    /// <summary>
    /// autoencoder.py <c>ResnetBlock.forward</c>: h = conv2(swish(norm2(conv1(swish(norm1(x)))))), and
    /// x + h, with x through the 1x1 <c>nin_shortcut</c> when the channel count changes.
    /// </summary>
    public static string ResnetBlock(this GraphBuilder g, string x, string prefix, long inChannels, long outChannels, long groups)
    {
        var h = g.Silu(g.GroupNorm(x, prefix + ".norm1", inChannels, groups));
        h = g.Conv3x3(h, prefix + ".conv1", inChannels, outChannels); // (B, out, H, W)
        h = g.Silu(g.GroupNorm(h, prefix + ".norm2", outChannels, groups));
        h = g.Conv3x3(h, prefix + ".conv2", outChannels, outChannels);
        var shortcut = inChannels == outChannels ? x : g.Conv1x1(x, prefix + ".nin_shortcut", inChannels, outChannels);
        return g.Op("Add", [shortcut, h]);
    }

    /// <summary>
    /// autoencoder.py <c>AttnBlock</c>: x + proj_out(attention(x)), where attention normalises, projects q, k, v
    /// with 1x1 convs, flattens "b c h w -> b 1 (h w) c" and calls <c>scaled_dot_product_attention</c>:
    /// one head of width C, softmax(q k^T / sqrt(C)) v over the H*W positions.
    /// </summary>
    public static string AttnBlock(this GraphBuilder g, string x, string prefix, long channels, long groups)
    {
        var h = g.GroupNorm(x, prefix + ".norm", channels, groups);
        var flat = g.Int64s(0, channels, -1);
        var q = g.Op("Transpose", [g.Op("Reshape", [g.Conv1x1(h, prefix + ".q", channels, channels), flat])], Attr.Ints("perm", 0, 2, 1)); // (B, HW, C)
        var k = g.Op("Reshape", [g.Conv1x1(h, prefix + ".k", channels, channels), flat]); // (B, C, HW): k^T
        var v = g.Op("Transpose", [g.Op("Reshape", [g.Conv1x1(h, prefix + ".v", channels, channels), flat])], Attr.Ints("perm", 0, 2, 1)); // (B, HW, C)
        var scores = g.Op("Mul", [g.Op("MatMul", [q, k]), g.Scalar((float)(1.0 / Math.Sqrt(channels)))]); // (B, HW, HW)
        var attended = g.Op("MatMul", [g.Op("Softmax", [scores], Attr.Int("axis", -1)), v]); // (B, HW, C)
        var image = g.Op("Reshape", [g.Op("Transpose", [attended], Attr.Ints("perm", 0, 2, 1)), g.Op("Shape", [x])]); // (B, C, H, W)
        return g.Op("Add", [x, g.Conv1x1(image, prefix + ".proj_out", channels, channels)]);
    }

    /// <summary>
    /// autoencoder.py <c>Downsample.forward</c>: <c>F.pad(x, (0, 1, 0, 1))</c> — one zero column on the right,
    /// one zero row at the bottom — then a 3x3 stride-2 conv without padding. ONNX Conv takes the asymmetric
    /// padding itself: pads (top 0, left 0, bottom 1, right 1).
    /// </summary>
    public static string Downsample(this GraphBuilder g, string x, string prefix, long channels) =>
        g.Conv2d(x, prefix + ".conv", channels, channels, Kernel, 2, 0, 0, 1, 1); // (B, C, floor(H/2), floor(W/2))

    /// <summary>
    /// autoencoder.py <c>Upsample.forward</c>: <c>F.interpolate(x, scale_factor=2.0, mode="nearest")</c>
    /// (output pixel i reads input floor(i / 2): ONNX Resize "asymmetric" + "floor"), then a 3x3 conv.
    /// </summary>
    public static string Upsample(this GraphBuilder g, string x, string prefix, long channels)
    {
        var scales = g.SharedConstant("upsample_scales", () => [1f, 1f, 2f, 2f], 4);
        var doubled = g.Op("Resize", [x, string.Empty, scales],
            Attr.Text("mode", "nearest"), Attr.Text("coordinate_transformation_mode", "asymmetric"), Attr.Text("nearest_mode", "floor")); // (B, C, 2H, 2W)
        return g.Conv3x3(doubled, prefix + ".conv", channels, channels);
    }

    /// <summary>
    /// autoencoder.py <c>Encoder</c>/<c>Decoder</c> middle: block_1, attn_1, block_2 at constant width
    /// (attn_1 absent when diffusers' <c>mid_block_add_attention</c> is false).
    /// </summary>
    public static string MidBlock(this GraphBuilder g, string x, string prefix, long channels, AutoencoderConfig config)
    {
        var h = g.ResnetBlock(x, prefix + ".block_1", channels, channels, config.NormGroups);
        if (config.MidAttention)
        {
            h = g.AttnBlock(h, prefix + ".attn_1", channels, config.NormGroups);
        }

        return g.ResnetBlock(h, prefix + ".block_2", channels, channels, config.NormGroups);
    }

    /// <summary>autoencoder.py <c>Encoder</c>/<c>Decoder</c> end: conv_out(swish(norm_out(h))).</summary>
    public static string OutputHead(this GraphBuilder g, string x, string prefix, long channels, long outChannels, long groups) =>
        g.Conv3x3(g.Silu(g.GroupNorm(x, prefix + ".norm_out", channels, groups)), prefix + ".conv_out", channels, outChannels);
}
