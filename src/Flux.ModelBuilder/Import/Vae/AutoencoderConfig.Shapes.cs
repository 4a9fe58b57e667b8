namespace Flux.ModelBuilder.Import.Vae;

internal sealed partial record AutoencoderConfig
{
    /// <summary>
    /// Reads ch, ch_mult, num_res_blocks, in/out and latent channels off a BFL-named state dict's tensor shapes
    /// (BFL's single <c>ae.safetensors</c> carries no config): <c>encoder.conv_in.weight</c> is (ch, in_channels, 3, 3),
    /// <c>encoder.down.{i}.block.0.conv1.weight</c> is (ch * ch_mult[i], ...), the blocks of <c>encoder.down.0</c>
    /// count num_res_blocks, <c>decoder.conv_in.weight</c> is (., z_channels, 3, 3) and <c>decoder.conv_out.weight</c>
    /// is (out_ch, ...) (autoencoder.py <c>Encoder.__init__</c>, <c>Decoder.__init__</c>). GroupNorm groups, scale
    /// and shift are not in the shapes: BFL's values (32, FLUX.1's 0.3611 and 0.1159) apply.
    /// </summary>
    /// <param name="shapeOf">A tensor's shape by BFL key, or null when the checkpoint has no such tensor.</param>
    /// <param name="origin">The checkpoint's file name, for error messages.</param>
    public static AutoencoderConfig FromBflShapes(Func<string, IReadOnlyList<long>?> shapeOf, string origin)
    {
        IReadOnlyList<long> Shape(string key, int rank) =>
            shapeOf(key) is { } shape && shape.Count == rank ? shape
            : throw new InvalidDataException(shapeOf(key) is { } wrong
                ? $"{origin}: '{key}' has shape [{string.Join(", ", wrong)}]; a rank-{rank} tensor is expected."
                : $"{origin}: tensor '{key}' is missing; it is not a BFL AutoEncoder checkpoint (ae.safetensors).");

        var convIn = Shape("encoder.conv_in.weight", 4);
        long ch = convIn[0];
        var mult = new List<int>();
        while (shapeOf($"encoder.down.{mult.Count}.block.0.conv1.weight") is not null)
        {
            long width = Shape($"encoder.down.{mult.Count}.block.0.conv1.weight", 4)[0];
            if (width % ch != 0)
            {
                throw new InvalidDataException($"{origin}: encoder.down.{mult.Count} is {width} channels wide, not a multiple of ch {ch} (encoder.conv_in.weight).");
            }

            mult.Add(checked((int)(width / ch)));
        }

        var blocks = 0;
        while (shapeOf($"encoder.down.0.block.{blocks}.conv1.weight") is not null)
        {
            blocks++;
        }

        long z = Shape("decoder.conv_in.weight", 4)[1];
        long moments = Shape("encoder.conv_out.weight", 4)[0];
        if (moments != 2 * z)
        {
            throw new InvalidDataException($"{origin}: encoder.conv_out.weight writes {moments} channels; the decoder's {z} latent channels need 2 x {z} (mean and log-variance).");
        }

        return new AutoencoderConfig
        {
            InChannels = checked((int)convIn[1]),
            Ch = checked((int)ch),
            OutCh = checked((int)Shape("decoder.conv_out.weight", 4)[0]),
            ChMult = mult,
            NumResBlocks = blocks,
            ZChannels = checked((int)z),
            ScaleFactor = Flux.ScaleFactor,
            ShiftFactor = Flux.ShiftFactor,
            MidAttention = shapeOf("decoder.mid.attn_1.q.weight") is not null,
        }.Validate(origin);
    }
}
