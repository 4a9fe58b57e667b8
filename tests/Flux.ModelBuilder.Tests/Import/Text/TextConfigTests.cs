using Flux.ModelBuilder.Import.Text;

namespace Flux.ModelBuilder.Tests.Import.Text;

/// <summary>config.json files read as transformers reads them; bad values are refused naming the file and the field.</summary>
public sealed class TextConfigTests
{
    [Fact]
    public void FluxClipConfig_IsReadField_ByField()
    {
        using var dir = new TempDirectory();

        var config = ClipTextConfig.Read(FluxTextConfigs.Write(dir, FluxTextConfigs.ClipL));

        Assert.Equal(new ClipTextConfig(49408, 768, 3072, 12, 12, 77, "quick_gelu", 1e-5f, 0, 2), config);
        Assert.Equal(64, config.HeadDim);
    }

    [Fact]
    public void FluxT5Config_IsReadField_ByField_WithGatedGeluAsTheTanhGelu()
    {
        using var dir = new TempDirectory();

        var config = T5Config.Read(FluxTextConfigs.Write(dir, FluxTextConfigs.T5Xxl));

        Assert.Equal(new T5Config(32128, 4096, 64, 10240, 24, 64, 32, 128, 1e-6f, true, "gelu_new"), config);
    }

    [Theory]
    [InlineData("""{"feed_forward_proj": "gated-gelu"}""", true, "gelu_new")]
    [InlineData("""{"feed_forward_proj": "relu"}""", false, "relu")]
    [InlineData("""{}""", false, "relu")]
    [InlineData("""{"feed_forward_proj": "gated-relu"}""", true, "relu")]
    [InlineData("""{"feed_forward_proj": "gelu"}""", false, "gelu")]
    public void T5FeedForwardProj_GivesTheActivationT5ConfigDerives(string json, bool gated, string activation)
    {
        using var dir = new TempDirectory();

        var config = T5Config.Read(FluxTextConfigs.Write(dir, json));

        Assert.Equal((gated, activation), (config.IsGatedAct, config.DenseActFn));
    }

    [Theory]
    [InlineData("""{"hidden_size": 30, "num_attention_heads": 4}""", "'hidden_size' 30 is not divisible by num_attention_heads 4")]
    [InlineData("""{"hidden_act": "gelu_pytorch_tanh"}""", "'hidden_act' 'gelu_pytorch_tanh' is not supported (allowed: 'quick_gelu', 'gelu')")]
    [InlineData("""{"vocab_size": "49408"}""", "'vocab_size' \"49408\" is not an integer")]
    [InlineData("""{"num_hidden_layers": 0}""", "'num_hidden_layers' 0 is outside [1, 2147483647]")]
    [InlineData("""{"layer_norm_eps": -1e-5}""", "'layer_norm_eps' -1E-05 is outside (0, 1)")]
    [InlineData("""{"eos_token_id": 49408}""", "'eos_token_id' 49408 is outside the vocabulary [0, 49407]")]
    [InlineData("""{"max_position_embeddings": null}""", "'max_position_embeddings' is null")]
    [InlineData("""[1, 2]""", "the top level must be a JSON object")]
    [InlineData("""{"hidden_size": 768,""", "not valid JSON")]
    public void BadClipConfig_IsRefused_NamingFileAndField(string json, string problem) =>
        AssertRefused(json, problem, path => ClipTextConfig.Read(path));

    [Theory]
    [InlineData("""{"feed_forward_proj": "gated-gelu-fast"}""", "'feed_forward_proj' 'gated-gelu-fast' is not 'ACT' or 'gated-ACT'")]
    [InlineData("""{"feed_forward_proj": "gated-silu"}""", "'dense_act_fn' 'silu' (from feed_forward_proj 'gated-silu') is not supported")]
    [InlineData("""{"d_model": 0}""", "'d_model' 0 is outside [1, 2147483647]")]
    [InlineData("""{"is_gated_act": "yes"}""", "'is_gated_act' \"yes\" is not true or false")]
    [InlineData("""{"relative_attention_num_buckets": 32, "relative_attention_max_distance": 8}""", "'relative_attention_max_distance' 8 must exceed the 8 exactly-bucketed positions of 32 buckets")]
    public void BadT5Config_IsRefused_NamingFileAndField(string json, string problem) =>
        AssertRefused(json, problem, path => T5Config.Read(path));

    [Fact]
    public void MissingConfig_IsRefused_NamingThePath()
    {
        using var dir = new TempDirectory();
        var path = dir.Sub("config.json");

        var error = Assert.Throws<FileNotFoundException>(() => T5Config.Read(path));

        Assert.Contains(path, error.Message, StringComparison.Ordinal);
    }

    private static void AssertRefused(string json, string problem, Func<string, object> read)
    {
        using var dir = new TempDirectory();
        var path = FluxTextConfigs.Write(dir, json);

        var error = Assert.Throws<InvalidDataException>(() => read(path));

        Assert.StartsWith(path + ": ", error.Message, StringComparison.Ordinal);
        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
    }
}
