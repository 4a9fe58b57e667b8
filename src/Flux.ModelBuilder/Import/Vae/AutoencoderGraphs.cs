using Flux.ModelBuilder.Onnx;
using static Onnx.TensorProto.Types;

namespace Flux.ModelBuilder.Import.Vae;

/// <summary>
/// FLUX.1's AutoEncoder as two ONNX graphs with optimum's FLUX export names, restating BFL's
/// src/flux/modules/autoencoder.py <c>Decoder.forward</c> and <c>Encoder.forward</c> + <c>DiagonalGaussian</c>
/// (sample=False). The latent scale and shift (<c>AutoEncoder.encode/decode</c>) stay with the pipeline,
/// so both graphs work on unscaled latents. Batch, height and width are dynamic.
/// </summary>
internal static class AutoencoderGraphs
{
    public const string LatentName = "latent_sample";
    public const string ImageName = "sample";

    /// <summary>
    /// <c>latent_sample</c> (B, z, h, w), already unscaled (z / scale + shift) -> <c>sample</c> (B, out_ch, f*h, f*w)
    /// with f = 2^(levels - 1), not clamped (BFL's sampler clamps after decoding, as does diffusers' image processor).
    /// </summary>
    public static BuiltGraph BuildDecoder(AutoencoderConfig config, IParameterSource parameters)
    {
        config.Validate();
        var g = new GraphBuilder("vae_decoder", parameters);
        var z = g.Input(LatentName, DataType.Float, "batch_size", config.ZChannels, "height_latent", "width_latent");

        // Decoder.__init__: block_in = ch * ch_mult[-1]; conv_in maps z_channels to it.
        long blockIn = config.Channels(config.Levels - 1);
        var h = g.Conv3x3(z, "decoder.conv_in", config.ZChannels, blockIn); // (B, C_top, h, w)
        h = g.MidBlock(h, "decoder.mid", blockIn, config);

        // Decoder.forward: for i_level in reversed(range(num_resolutions)) — up.{levels-1} runs first, at the
        // narrowest resolution; each level has num_res_blocks + 1 ResnetBlocks and all but level 0 upsample.
        for (var level = config.Levels - 1; level >= 0; level--)
        {
            long blockOut = config.Channels(level);
            for (var block = 0; block <= config.NumResBlocks; block++)
            {
                h = g.ResnetBlock(h, $"decoder.up.{level}.block.{block}", blockIn, blockOut, config.NormGroups);
                blockIn = blockOut;
            }

            if (level != 0)
            {
                h = g.Upsample(h, $"decoder.up.{level}.upsample", blockIn); // (B, C, 2H, 2W)
            }
        }

        var image = g.OutputHead(h, "decoder", blockIn, config.OutCh, config.NormGroups); // (B, out_ch, f*h, f*w)
        g.Output(image, ImageName, DataType.Float, "batch_size", config.OutCh, "height", "width");
        return BuiltGraph.From(g, "FLUX.1 AutoEncoder decoder (BFL autoencoder.py Decoder); input unscaled, output not clamped.");
    }

    /// <summary>
    /// <c>sample</c> (B, in_channels, H, W) in [-1, 1] -> <c>latent_sample</c> (B, z, H/f, W/f): the posterior mean,
    /// the first z_channels of the encoder's 2*z_channels moments (<c>DiagonalGaussian</c>: <c>torch.chunk(z, 2, dim=1)</c>,
    /// mean first), before scale and shift, without sampling.
    /// </summary>
    public static BuiltGraph BuildEncoder(AutoencoderConfig config, IParameterSource parameters)
    {
        config.Validate();
        var g = new GraphBuilder("vae_encoder", parameters);
        var x = g.Input(ImageName, DataType.Float, "batch_size", config.InChannels, "height", "width");

        var h = g.Conv3x3(x, "encoder.conv_in", config.InChannels, config.Ch); // (B, ch, H, W)

        // Encoder.__init__/forward: level i runs num_res_blocks ResnetBlocks from ch * in_ch_mult[i]
        // (in_ch_mult = (1,) + ch_mult) to ch * ch_mult[i], then all but the last level downsample.
        long blockIn = config.Ch;
        for (var level = 0; level < config.Levels; level++)
        {
            long blockOut = config.Channels(level);
            for (var block = 0; block < config.NumResBlocks; block++)
            {
                h = g.ResnetBlock(h, $"encoder.down.{level}.block.{block}", blockIn, blockOut, config.NormGroups);
                blockIn = blockOut;
            }

            if (level != config.Levels - 1)
            {
                h = g.Downsample(h, $"encoder.down.{level}.downsample", blockIn); // (B, C, H/2, W/2)
            }
        }

        h = g.MidBlock(h, "encoder.mid", blockIn, config);
        var moments = g.OutputHead(h, "encoder", blockIn, 2 * config.ZChannels, config.NormGroups); // (B, 2z, h, w)
        var mean = g.Chunk(moments, 2, config.ZChannels, axis: 1)[0]; // (B, z, h, w); [1] is the log-variance
        g.Output(mean, LatentName, DataType.Float, "batch_size", config.ZChannels, "height_latent", "width_latent");
        return BuiltGraph.From(g, "FLUX.1 AutoEncoder encoder (BFL autoencoder.py Encoder); output the posterior mean, unscaled.");
    }
}
