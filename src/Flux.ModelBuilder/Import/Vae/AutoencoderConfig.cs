using System.Globalization;
using System.Text.Json;

namespace Flux.ModelBuilder.Import.Vae;

/// <summary>
/// Hyperparameters of FLUX.1's AutoEncoder: BFL src/flux/modules/autoencoder.py <c>AutoEncoderParams</c>,
/// plus two things BFL hard-codes that diffusers' <c>AutoencoderKL</c> config makes settable: the GroupNorm
/// group count (<c>norm_num_groups</c>, BFL: 32) and whether the middle blocks hold their attention
/// (<c>mid_block_add_attention</c>, BFL: always). Channels at level i are <c>Ch * ChMult[i]</c>.
/// </summary>
internal sealed partial record AutoencoderConfig
{
    /// <summary>BFL <c>AttnBlock</c> / <c>ResnetBlock</c>: <c>nn.GroupNorm(num_groups=32, ...)</c>.</summary>
    public const int BflNormGroups = 32;

    /// <summary>Training resolution; BFL uses it only for <c>Decoder.z_shape</c>, the graphs do not.</summary>
    public int Resolution { get; init; } = 256;

    /// <summary>Image channels the encoder reads (RGB: 3).</summary>
    public required int InChannels { get; init; }

    /// <summary>Base channel count (<c>ch</c>; diffusers: <c>block_out_channels[0]</c>).</summary>
    public required int Ch { get; init; }

    /// <summary>Image channels the decoder writes (<c>out_ch</c>).</summary>
    public required int OutCh { get; init; }

    /// <summary>Channel multiplier per resolution level; the image is 2^(levels - 1) times the latent.</summary>
    public required IReadOnlyList<int> ChMult { get; init; }

    /// <summary>ResnetBlocks per encoder level; each decoder level has one more (BFL <c>Decoder</c>).</summary>
    public required int NumResBlocks { get; init; }

    /// <summary>Latent channels (<c>z_channels</c>); the encoder's conv_out writes twice as many (mean, log-variance).</summary>
    public required int ZChannels { get; init; }

    /// <summary>The pipeline's latent scale: z_model = scale * (z - shift) (BFL <c>AutoEncoder.encode</c>).</summary>
    public required double ScaleFactor { get; init; }

    public required double ShiftFactor { get; init; }

    public int NormGroups { get; init; } = BflNormGroups;

    public bool MidAttention { get; init; } = true;

    /// <summary>FLUX.1 [schnell] and [dev]: BFL src/flux/util.py <c>configs["flux-schnell"].ae_params</c> (dev is the same).</summary>
    public static AutoencoderConfig Flux { get; } = new()
    {
        Resolution = 256,
        InChannels = 3,
        Ch = 128,
        OutCh = 3,
        ChMult = [1, 2, 4, 4],
        NumResBlocks = 2,
        ZChannels = 16,
        ScaleFactor = 0.3611,
        ShiftFactor = 0.1159,
    };

    public int Levels => ChMult.Count;

    /// <summary>Channels of level <paramref name="level"/> (BFL: <c>ch * ch_mult[i_level]</c>).</summary>
    public int Channels(int level) => Ch * ChMult[level];

    /// <summary>Image pixels per latent cell along each axis: 2^(levels - 1) (8 for FLUX.1).</summary>
    public int DownsamplingFactor => 1 << (Levels - 1);

    /// <summary>Throws <see cref="InvalidDataException"/> naming the first field out of range.</summary>
    public AutoencoderConfig Validate(string origin = "autoencoder config")
    {
        Require(InChannels is >= 1 and <= 64, origin, "in_channels", InChannels, "1..64");
        Require(OutCh is >= 1 and <= 64, origin, "out_channels", OutCh, "1..64");
        Require(Ch is >= 1 and <= 4096, origin, "ch", Ch, "1..4096");
        Require(ZChannels is >= 1 and <= 1024, origin, "z_channels", ZChannels, "1..1024");
        Require(NumResBlocks is >= 1 and <= 16, origin, "num_res_blocks", NumResBlocks, "1..16");
        Require(ChMult.Count is >= 1 and <= 8, origin, "ch_mult length", ChMult.Count, "1..8");
        Require(NormGroups is >= 1 and <= 1024, origin, "norm_num_groups", NormGroups, "1..1024");
        for (var i = 0; i < ChMult.Count; i++)
        {
            Require(ChMult[i] is >= 1 and <= 64, origin, $"ch_mult[{i}]", ChMult[i], "1..64");
            if (Channels(i) % NormGroups != 0)
            {
                throw new InvalidDataException(
                    $"{origin}: level {i} has {Channels(i)} channels (ch {Ch} x ch_mult {ChMult[i]}), not a multiple of norm_num_groups {NormGroups}.");
            }
        }

        if (!(double.IsFinite(ScaleFactor) && ScaleFactor > 0))
        {
            throw new InvalidDataException($"{origin}: scaling_factor {ScaleFactor.ToString(CultureInfo.InvariantCulture)} must be a finite number > 0.");
        }

        if (!double.IsFinite(ShiftFactor))
        {
            throw new InvalidDataException($"{origin}: shift_factor {ShiftFactor.ToString(CultureInfo.InvariantCulture)} must be finite.");
        }

        return this;
    }

    /// <summary>
    /// Reads a diffusers <c>AutoencoderKL</c> config.json (the Hugging Face repos' <c>vae/config.json</c>).
    /// block_out_channels = [ch * m for m in ch_mult], so ch is its first entry and every entry must be a
    /// multiple of it (diffusers src/diffusers/loaders/single_file_utils.py <c>create_vae_diffusers_config</c>).
    /// FLUX.1's VAE has no quant_conv / post_quant_conv (BFL's AutoEncoder has none), so a config that asks
    /// for them is refused rather than imported without them.
    /// </summary>
    public static AutoencoderConfig FromDiffusers(string configJsonPath)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(File.ReadAllBytes(configJsonPath));
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{configJsonPath}: not valid JSON ({e.Message}).", e);
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new InvalidDataException($"{configJsonPath}: expected a JSON object, found {document.RootElement.ValueKind}.");
            }

            var json = new DiffusersJson(document.RootElement, configJsonPath);
            var blockOut = json.IntArray("block_out_channels");
            if (blockOut.Length == 0)
            {
                throw new InvalidDataException($"{configJsonPath}: block_out_channels is empty; it needs one entry per resolution level.");
            }

            int ch = blockOut[0];
            Require(ch >= 1, configJsonPath, "block_out_channels[0]", ch, ">= 1");
            var mult = new int[blockOut.Length];
            for (var i = 0; i < blockOut.Length; i++)
            {
                if (blockOut[i] < 1 || blockOut[i] % ch != 0)
                {
                    throw new InvalidDataException(
                        $"{configJsonPath}: block_out_channels[{i}] {blockOut[i]} is not a positive multiple of block_out_channels[0] {ch}.");
                }

                mult[i] = blockOut[i] / ch;
            }

            json.RequireBlockTypes("down_block_types", "DownEncoderBlock2D", blockOut.Length);
            json.RequireBlockTypes("up_block_types", "UpDecoderBlock2D", blockOut.Length);
            if (json.OptionalString("act_fn") is { } act && act != "silu")
            {
                throw new InvalidDataException($"{configJsonPath}: act_fn '{act}' is not supported; allowed: silu (BFL's swish).");
            }

            foreach (var field in (string[])["use_quant_conv", "use_post_quant_conv"])
            {
                if (json.OptionalBool(field) != false)
                {
                    throw new InvalidDataException(
                        $"{configJsonPath}: {field} must be false (FLUX.1's AutoEncoder has no quant convolutions; diffusers' default is true, so it must be stated).");
                }
            }

            return new AutoencoderConfig
            {
                Resolution = json.OptionalInt("sample_size") ?? 256,
                InChannels = json.Int("in_channels"),
                OutCh = json.Int("out_channels"),
                Ch = ch,
                ChMult = mult,
                NumResBlocks = json.Int("layers_per_block"),
                ZChannels = json.Int("latent_channels"),
                NormGroups = json.OptionalInt("norm_num_groups") ?? BflNormGroups,
                ScaleFactor = json.Double("scaling_factor"),
                ShiftFactor = json.OptionalDouble("shift_factor") ?? 0,
                MidAttention = json.OptionalBool("mid_block_add_attention") ?? true,
            }.Validate(configJsonPath);
        }
    }

    private static void Require(bool ok, string origin, string field, long value, string allowed)
    {
        if (!ok)
        {
            throw new InvalidDataException($"{origin}: {field} {value} is out of range; allowed: {allowed}.");
        }
    }
}
