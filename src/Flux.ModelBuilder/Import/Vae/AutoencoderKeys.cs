using System.Globalization;
using System.Text.RegularExpressions;

namespace Flux.ModelBuilder.Import.Vae;

/// <summary>
/// A diffusers tensor's key in BFL's AutoEncoder state dict (ae.safetensors) and whether its layout changes:
/// diffusers holds the middle attention's q, k, v, out projections as <c>nn.Linear</c> (C, C), BFL as 1x1
/// <c>nn.Conv2d</c> (C, C, 1, 1) — the same C*C numbers in the same order.
/// </summary>
internal readonly record struct BflKey(string Key, bool LinearToConv1x1)
{
    /// <summary>The BFL shape of a tensor stored with <paramref name="diffusersShape"/> in a diffusers file.</summary>
    public long[] Shape(IReadOnlyList<long> diffusersShape) =>
        LinearToConv1x1 && diffusersShape.Count == 2 ? [.. diffusersShape, 1, 1] : [.. diffusersShape];
}

/// <summary>
/// diffusers <c>AutoencoderKL</c> names &lt;-&gt; BFL <c>AutoEncoder</c> names. Restates, in reverse, diffusers
/// src/diffusers/loaders/single_file_utils.py <c>convert_ldm_vae_checkpoint</c> (with
/// <c>update_vae_resnet_ldm_to_diffusers</c>, <c>update_vae_attentions_ldm_to_diffusers</c>, <c>conv_attn_to_linear</c>
/// and the "vae" table of <c>DIFFUSERS_TO_LDM_MAPPING</c>): <c>down.{i}.block</c> = <c>down_blocks.{i}.resnets</c>,
/// <c>up.{n-1-i}.block</c> = <c>up_blocks.{i}.resnets</c> (BFL's <c>Decoder</c> prepends its up levels, diffusers'
/// runs them in call order), <c>mid.block_{1,2}</c> = <c>mid_block.resnets.{0,1}</c>, <c>mid.attn_1.{norm,q,k,v,proj_out}</c>
/// = <c>mid_block.attentions.0.{group_norm,to_q,to_k,to_v,to_out.0}</c>, <c>nin_shortcut</c> = <c>conv_shortcut</c>,
/// <c>norm_out</c> = <c>conv_norm_out</c>, <c>downsample.conv</c> = <c>downsamplers.0.conv</c>, <c>upsample.conv</c> =
/// <c>upsamplers.0.conv</c>.
/// </summary>
internal static partial class AutoencoderKeys
{
    private static readonly (string Diffusers, string Bfl)[] ResnetParts =
        [("norm1", "norm1"), ("conv1", "conv1"), ("norm2", "norm2"), ("conv2", "conv2"), ("conv_shortcut", "nin_shortcut")];

    private static readonly (string Diffusers, string Bfl)[] AttentionParts =
        [("group_norm", "norm"), ("to_q", "q"), ("to_k", "k"), ("to_v", "v"), ("to_out.0", "proj_out")];

    /// <summary>
    /// The BFL key of diffusers key <paramref name="diffusersKey"/> in an AutoEncoder with <paramref name="levels"/>
    /// resolution levels (len(block_out_channels)); throws <see cref="InvalidDataException"/> for a key the
    /// architecture does not have.
    /// </summary>
    public static BflKey FromDiffusers(string diffusersKey, int levels)
    {
        var m = DiffusersPattern().Match(diffusersKey);
        if (!m.Success)
        {
            throw Unknown(diffusersKey, levels, "diffusers AutoencoderKL");
        }

        string part = m.Groups["part"].Value, tensor = m.Groups["tensor"].Value;
        string Resnet(string prefix) => $"{prefix}.{Rename(ResnetParts, m.Groups["resnet"].Value, diffusersKey, levels)}.{tensor}";
        var bfl = m.Groups switch
        {
            var g when g["down"].Success && part == "encoder" => Resnet($"encoder.down.{Level(g["down"].Value, diffusersKey, levels)}.block.{g["block"].Value}"),
            var g when g["up"].Success && part == "decoder" => Resnet($"decoder.up.{levels - 1 - Level(g["up"].Value, diffusersKey, levels)}.block.{g["block"].Value}"),
            var g when g["downsampler"].Success && part == "encoder" => $"encoder.down.{Level(g["downsampler"].Value, diffusersKey, levels)}.downsample.conv.{tensor}",
            var g when g["upsampler"].Success && part == "decoder" => $"decoder.up.{levels - 1 - Level(g["upsampler"].Value, diffusersKey, levels)}.upsample.conv.{tensor}",
            var g when g["midresnet"].Success => Resnet($"{part}.mid.block_{int.Parse(g["midresnet"].Value, CultureInfo.InvariantCulture) + 1}"),
            var g when g["attention"].Success => $"{part}.mid.attn_1.{Rename(AttentionParts, g["attention"].Value, diffusersKey, levels)}.{tensor}",
            var g when g["end"].Success => $"{part}.{(g["end"].Value == "conv_norm_out" ? "norm_out" : g["end"].Value)}.{tensor}",
            _ => throw Unknown(diffusersKey, levels, "diffusers AutoencoderKL"),
        };
        return new BflKey(bfl, IsAttentionProjectionWeight(bfl));
    }

    /// <summary>The inverse of <see cref="FromDiffusers"/>: BFL key -> diffusers key.</summary>
    public static string ToDiffusers(string bflKey, int levels)
    {
        var m = BflPattern().Match(bflKey);
        if (!m.Success)
        {
            throw Unknown(bflKey, levels, "BFL AutoEncoder");
        }

        string part = m.Groups["part"].Value, tensor = m.Groups["tensor"].Value;
        string Resnet(string prefix) => $"{prefix}.{Rename(ResnetParts, m.Groups["resnet"].Value, bflKey, levels, inverse: true)}.{tensor}";
        return m.Groups switch
        {
            var g when g["down"].Success && part == "encoder" => Resnet($"encoder.down_blocks.{Level(g["down"].Value, bflKey, levels)}.resnets.{g["block"].Value}"),
            var g when g["up"].Success && part == "decoder" => Resnet($"decoder.up_blocks.{levels - 1 - Level(g["up"].Value, bflKey, levels)}.resnets.{g["block"].Value}"),
            var g when g["downsample"].Success && part == "encoder" => $"encoder.down_blocks.{Level(g["downsample"].Value, bflKey, levels)}.downsamplers.0.conv.{tensor}",
            var g when g["upsample"].Success && part == "decoder" => $"decoder.up_blocks.{levels - 1 - Level(g["upsample"].Value, bflKey, levels)}.upsamplers.0.conv.{tensor}",
            var g when g["midresnet"].Success => Resnet($"{part}.mid_block.resnets.{int.Parse(g["midresnet"].Value, CultureInfo.InvariantCulture) - 1}"),
            var g when g["attention"].Success => $"{part}.mid_block.attentions.0.{Rename(AttentionParts, g["attention"].Value, bflKey, levels, inverse: true)}.{tensor}",
            var g when g["end"].Success => $"{part}.{(g["end"].Value == "norm_out" ? "conv_norm_out" : g["end"].Value)}.{tensor}",
            _ => throw Unknown(bflKey, levels, "BFL AutoEncoder"),
        };
    }

    /// <summary>BFL's <c>mid.attn_1.{q,k,v,proj_out}.weight</c>: a 1x1 conv in BFL, a Linear in diffusers.</summary>
    public static bool IsAttentionProjectionWeight(string bflKey) =>
        bflKey.Contains(".mid.attn_1.", StringComparison.Ordinal) && bflKey.EndsWith(".weight", StringComparison.Ordinal)
        && !bflKey.EndsWith(".norm.weight", StringComparison.Ordinal);

    private static int Level(string digits, string key, int levels)
    {
        var level = int.Parse(digits, CultureInfo.InvariantCulture);
        return level < levels ? level : throw new InvalidDataException(
            $"autoencoder key '{key}' names resolution level {level}, but the config has {levels} levels (0..{levels - 1}).");
    }

    private static string Rename((string Diffusers, string Bfl)[] table, string name, string key, int levels, bool inverse = false)
    {
        foreach (var (diffusers, bfl) in table)
        {
            if (name == (inverse ? bfl : diffusers))
            {
                return inverse ? diffusers : bfl;
            }
        }

        throw Unknown(key, levels, inverse ? "BFL AutoEncoder" : "diffusers AutoencoderKL");
    }

    private static InvalidDataException Unknown(string key, int levels, string layout) =>
        new($"autoencoder key '{key}' is not a parameter of a {levels}-level {layout} (FLUX.1 has no quant_conv, post_quant_conv or per-level attention).");

    [GeneratedRegex(@"^(?<part>encoder|decoder)\.(?:(?:down_blocks\.(?<down>\d+)|up_blocks\.(?<up>\d+))\.resnets\.(?<block>\d+)\.(?<resnet>\w+)"
        + @"|down_blocks\.(?<downsampler>\d+)\.downsamplers\.0\.conv|up_blocks\.(?<upsampler>\d+)\.upsamplers\.0\.conv"
        + @"|mid_block\.resnets\.(?<midresnet>[01])\.(?<resnet>\w+)|mid_block\.attentions\.0\.(?<attention>group_norm|to_q|to_k|to_v|to_out\.0)"
        + @"|(?<end>conv_in|conv_out|conv_norm_out))\.(?<tensor>weight|bias)$", RegexOptions.CultureInvariant)]
    private static partial Regex DiffusersPattern();

    [GeneratedRegex(@"^(?<part>encoder|decoder)\.(?:(?:down\.(?<down>\d+)|up\.(?<up>\d+))\.block\.(?<block>\d+)\.(?<resnet>\w+)"
        + @"|down\.(?<downsample>\d+)\.downsample\.conv|up\.(?<upsample>\d+)\.upsample\.conv"
        + @"|mid\.block_(?<midresnet>[12])\.(?<resnet>\w+)|mid\.attn_1\.(?<attention>norm|q|k|v|proj_out)"
        + @"|(?<end>conv_in|conv_out|norm_out))\.(?<tensor>weight|bias)$", RegexOptions.CultureInvariant)]
    private static partial Regex BflPattern();
}
