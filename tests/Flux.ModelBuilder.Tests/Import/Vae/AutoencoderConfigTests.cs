using Flux.ModelBuilder.Import.Vae;

namespace Flux.ModelBuilder.Tests.Import.Vae;

public sealed class AutoencoderConfigTests
{
    /// <summary>The fields of black-forest-labs/FLUX.1-schnell's vae/config.json (diffusers AutoencoderKL).</summary>
    private const string FluxVaeConfig = """
        {
          "_class_name": "AutoencoderKL",
          "_diffusers_version": "0.30.0.dev0",
          "act_fn": "silu",
          "block_out_channels": [128, 256, 512, 512],
          "down_block_types": ["DownEncoderBlock2D", "DownEncoderBlock2D", "DownEncoderBlock2D", "DownEncoderBlock2D"],
          "force_upcast": true,
          "in_channels": 3,
          "latent_channels": 16,
          "latents_mean": null,
          "latents_std": null,
          "layers_per_block": 2,
          "mid_block_add_attention": true,
          "norm_num_groups": 32,
          "out_channels": 3,
          "sample_size": 1024,
          "scaling_factor": 0.3611,
          "shift_factor": 0.1159,
          "up_block_types": ["UpDecoderBlock2D", "UpDecoderBlock2D", "UpDecoderBlock2D", "UpDecoderBlock2D"],
          "use_post_quant_conv": false,
          "use_quant_conv": false
        }
        """;

    [Fact]
    public void FluxDiffusersConfig_ReadsAsBflsFluxParameters()
    {
        using var dir = new TempDirectory();
        var config = AutoencoderConfig.FromDiffusers(Write(dir, FluxVaeConfig));
        var flux = AutoencoderConfig.Flux;

        Assert.Equal(
            (flux.InChannels, flux.Ch, flux.OutCh, flux.NumResBlocks, flux.ZChannels, flux.ScaleFactor, flux.ShiftFactor, flux.NormGroups, flux.MidAttention),
            (config.InChannels, config.Ch, config.OutCh, config.NumResBlocks, config.ZChannels, config.ScaleFactor, config.ShiftFactor, config.NormGroups, config.MidAttention));
        Assert.Equal(flux.ChMult, config.ChMult);
        Assert.Equal(8, config.DownsamplingFactor);
    }

    [Theory]
    [InlineData("\"use_quant_conv\": false", "\"use_quant_conv\": true", "use_quant_conv")]
    [InlineData("\"use_post_quant_conv\": false,", "", "use_post_quant_conv")]
    [InlineData("[128, 256, 512, 512]", "[128, 256, 500, 512]", "block_out_channels[2] 500")]
    [InlineData("[128, 256, 512, 512]", "[]", "block_out_channels")]
    [InlineData("\"latent_channels\": 16,", "", "'latent_channels' is missing")]
    [InlineData("\"latent_channels\": 16,", "\"latent_channels\": \"16\",", "'latent_channels'")]
    [InlineData("\"norm_num_groups\": 32,", "\"norm_num_groups\": 48,", "norm_num_groups 48")]
    [InlineData("\"act_fn\": \"silu\",", "\"act_fn\": \"gelu\",", "act_fn 'gelu'")]
    [InlineData("\"scaling_factor\": 0.3611,", "\"scaling_factor\": 0,", "scaling_factor 0")]
    [InlineData("\"layers_per_block\": 2,", "\"layers_per_block\": 0,", "num_res_blocks 0")]
    [InlineData("\"UpDecoderBlock2D\", \"UpDecoderBlock2D\"]", "\"UpDecoderBlock2D\", \"AttnUpDecoderBlock2D\"]", "up_block_types[3]")]
    public void BadDiffusersConfig_IsRefusedNamingFileAndField(string original, string replacement, string expectedInMessage)
    {
        using var dir = new TempDirectory();
        var path = Write(dir, FluxVaeConfig.Replace(original, replacement, StringComparison.Ordinal));

        var error = Assert.Throws<InvalidDataException>(() => AutoencoderConfig.FromDiffusers(path));

        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Contains(expectedInMessage, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("[1, 2, 3]")]
    [InlineData("not json")]
    public void ConfigThatIsNotAJsonObject_IsRefused(string text)
    {
        using var dir = new TempDirectory();
        var path = Write(dir, text);
        Assert.Contains(path, Assert.Throws<InvalidDataException>(() => AutoencoderConfig.FromDiffusers(path)).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("flux")]
    [InlineData("groups32")]
    public void BflCheckpointShapes_GiveBackTheConfigThatMadeThem(string name)
    {
        var config = name == "flux" ? AutoencoderConfig.Flux : VaeGraphHarness.Config(name);
        var shapes = BflAutoencoderLayout.Keys(config).ToDictionary(k => k.Key, k => (IReadOnlyList<long>)k.Shape);

        var inferred = AutoencoderConfig.FromBflShapes(key => shapes.GetValueOrDefault(key), "ae.safetensors");

        Assert.Equal(config.ChMult, inferred.ChMult);
        Assert.Equal(
            (config.InChannels, config.Ch, config.OutCh, config.NumResBlocks, config.ZChannels, config.MidAttention, config.ScaleFactor, config.ShiftFactor),
            (inferred.InChannels, inferred.Ch, inferred.OutCh, inferred.NumResBlocks, inferred.ZChannels, inferred.MidAttention, inferred.ScaleFactor, inferred.ShiftFactor));
    }

    [Theory]
    [InlineData("encoder.conv_in.weight", null, "tensor 'encoder.conv_in.weight' is missing")]
    [InlineData("encoder.conv_out.weight", new long[] { 30, 512, 3, 3 }, "writes 30 channels")]
    [InlineData("encoder.down.1.block.0.conv1.weight", new long[] { 200, 128, 3, 3 }, "200 channels wide")]
    [InlineData("decoder.conv_in.weight", new long[] { 512, 16 }, "has shape [512, 16]")]
    public void BflShapesThatDisagree_AreRefusedNamingTheTensor(string key, long[]? shape, string expectedInMessage)
    {
        var shapes = BflAutoencoderLayout.Keys(AutoencoderConfig.Flux).ToDictionary(k => k.Key, k => (IReadOnlyList<long>?)k.Shape);
        shapes[key] = shape;

        var error = Assert.Throws<InvalidDataException>(() => AutoencoderConfig.FromBflShapes(k => shapes.GetValueOrDefault(k), "ae.safetensors"));

        Assert.Contains("ae.safetensors", error.Message, StringComparison.Ordinal);
        Assert.Contains(expectedInMessage, error.Message, StringComparison.Ordinal);
    }

    private static string Write(TempDirectory dir, string json)
    {
        var path = dir.Sub("config.json");
        File.WriteAllText(path, json);
        return path;
    }
}
