using Flux.Core;
using Flux.ModelBuilder.Onnx;
using Onnx;
using static Onnx.TensorProto.Types;

namespace Flux.ModelBuilder.Tiny;

/// <summary>
/// A small convolutional VAE encoder in the IO contract of the real exports (<c>sample</c> (B, 3, H, W) ->
/// <c>latent_sample</c> (B, 16, H/8, W/8), the posterior mean before FLUX's scaling): conv_in, three
/// (3x3 stride-2 conv, SiLU) stages with channels doubling up to the decoder's width, conv_out to 16.
/// Random weights: it exercises image-to-image code paths, it does not invert the tiny decoder.
/// </summary>
internal static class TinyVaeEncoder
{
    private const int DownsamplingStages = 3; // 2^3 = VaeScaleFactor

    public static ModelProto Build(TinyFluxOptions o)
    {
        var weights = new WeightSource(o.Seed + 4);
        var g = new GraphBuilder("vae_encoder", weights);
        var image = g.Input("sample", DataType.Float, "B", 3, "H", "W");
        long channels = o.VaeChannels >> DownsamplingStages;
        var x = Conv3x3(g, weights, image, "encoder.conv_in", 3, channels, stride: 1); // (B, C/8, H, W)
        for (var stage = 0; stage < DownsamplingStages; stage++)
        {
            x = g.Silu(Conv3x3(g, weights, x, $"encoder.down.{stage}.downsample.conv", channels, channels * 2, stride: 2)); // halves H and W
            channels *= 2;
        }

        var mean = Conv3x3(g, weights, x, "encoder.conv_out", channels, FluxConstants.LatentChannels, stride: 1); // (B, 16, H/8, W/8)
        g.Output(mean, "latent_sample", DataType.Float, "B", FluxConstants.LatentChannels, "h", "w");
        return OnnxFileWriter.ToModel(g, "Tiny convolutional VAE encoder with random weights (not a trained model).");
    }

    /// <summary>3x3 convolution with PyTorch's default range, Uniform(-b, b) with b = 1/sqrt(fan_in); stride 2 halves the size.</summary>
    private static string Conv3x3(GraphBuilder g, WeightSource weights, string x, string prefix, long inChannels, long outChannels, long stride)
    {
        var bound = 1 / Math.Sqrt(inChannels * 9);
        var weight = g.Parameter(prefix + ".weight", weights.Uniform(prefix + ".weight", outChannels * inChannels * 9, bound), outChannels, inChannels, 3, 3);
        var bias = g.Parameter(prefix + ".bias", weights.Uniform(prefix + ".bias", outChannels, bound), outChannels);
        return g.Op("Conv", [x, weight, bias], Attr.Ints("pads", 1, 1, 1, 1), Attr.Ints("kernel_shape", 3, 3), Attr.Ints("strides", stride, stride));
    }
}
