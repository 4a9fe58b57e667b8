using Flux.Core;
using Flux.ModelBuilder.Import.Vae;
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
        var g = new GraphBuilder("vae_encoder", new WeightSource(o.Seed + 4));
        var image = g.Input("sample", DataType.Float, "B", 3, "H", "W");
        long channels = o.VaeChannels >> DownsamplingStages;
        var x = g.Conv3x3(image, "encoder.conv_in", 3, channels); // (B, C/8, H, W)
        for (var stage = 0; stage < DownsamplingStages; stage++)
        {
            x = g.Silu(g.Conv2d(x, $"encoder.down.{stage}.downsample.conv", channels, channels * 2, kernel: 3, stride: 2, 1, 1, 1, 1)); // halves H and W
            channels *= 2;
        }

        var mean = g.Conv3x3(x, "encoder.conv_out", channels, FluxConstants.LatentChannels); // (B, 16, H/8, W/8)
        g.Output(mean, "latent_sample", DataType.Float, "B", FluxConstants.LatentChannels, "h", "w");
        return OnnxFileWriter.ToModel(g, "Tiny convolutional VAE encoder with random weights (not a trained model).");
    }
}
