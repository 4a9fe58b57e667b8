using Flux.Core;
using Flux.ModelBuilder.Onnx;
using Onnx;
using static Onnx.TensorProto.Types;

namespace Flux.ModelBuilder.Tiny;

/// <summary>
/// A small convolutional VAE decoder: conv_in, three (SiLU, 2x nearest upsample, 3x3 conv) stages
/// with channels halving, conv_out to RGB and tanh into [-1, 1]. 16 channels at H/8 -> 3 at H.
/// </summary>
internal static class TinyVaeDecoder
{
    private const int UpsamplingStages = 3; // 2^3 = VaeScaleFactor

    public static ModelProto Build(TinyFluxOptions o)
    {
        var g = new GraphBuilder("vae_decoder", new WeightSource(o.Seed + 3));
        var latent = g.Input("latent_sample", DataType.Float, "B", FluxConstants.LatentChannels, "h", "w");
        long channels = o.VaeChannels;
        var x = Conv3x3(g, latent, "decoder.conv_in", FluxConstants.LatentChannels, channels); // (B, C, h, w)
        var upscale = g.SharedConstant("upsample_scales", () => [1f, 1f, 2f, 2f], 4);
        for (var stage = 0; stage < UpsamplingStages; stage++)
        {
            var up = g.Op("Resize", [g.Silu(x), string.Empty, upscale], Attr.Text("mode", "nearest")); // (B, C, 2h, 2w)
            x = Conv3x3(g, up, $"decoder.up_blocks.{stage}.upsamplers.0.conv", channels, channels / 2);
            channels /= 2;
        }

        var rgb = g.Op("Tanh", [Conv3x3(g, g.Silu(x), "decoder.conv_out", channels, 3, gainSquared: 1.0 / 9)]); // (B, 3, 8h, 8w)
        g.Output(rgb, "sample", DataType.Float, "B", 3, "H", "W");
        return OnnxFileWriter.ToModel(g, "Tiny convolutional VAE decoder with random weights (not a trained model).");
    }

    /// <summary>
    /// 3x3 convolution, weights Uniform(-b, b) with b = sqrt(gainSquared * 3 / fan_in). Inner layers use
    /// Kaiming's gain for SiLU-like activations (2), which keeps the activations' variance through the
    /// stack, so the image shows the latent's structure instead of fading to the biases' flat colour;
    /// the output layer uses gain 1/3 so that tanh stays mostly unsaturated.
    /// </summary>
    private static string Conv3x3(GraphBuilder g, string x, string prefix, long inChannels, long outChannels, double gainSquared = 2)
    {
        var bound = Math.Sqrt(gainSquared * 3.0 / (inChannels * 9));
        var weight = g.Parameter(prefix + ".weight", g.Weights.Uniform(prefix + ".weight", outChannels * inChannels * 9, bound), outChannels, inChannels, 3, 3);
        var bias = g.Parameter(prefix + ".bias", g.Weights.Uniform(prefix + ".bias", outChannels, bound), outChannels);
        return g.Op("Conv", [x, weight, bias], Attr.Ints("pads", 1, 1, 1, 1), Attr.Ints("kernel_shape", 3, 3));
    }
}
