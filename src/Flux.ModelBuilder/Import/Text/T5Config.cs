namespace Flux.ModelBuilder.Import.Text;

/// <summary>
/// The fields of transformers' <c>T5Config</c> (configuration_t5.py) that shape T5EncoderModel, read from a
/// checkpoint's <c>text_encoder_2/config.json</c>. Absent fields take T5Config's defaults; FLUX.1's file
/// (google/t5-v1_1-xxl) sets d_model 4096, d_kv 64, 64 heads, 24 layers, d_ff 10240 and "gated-gelu".
/// </summary>
internal sealed record T5Config(
    int VocabSize,
    int DModel,
    int DKv,
    int DFf,
    int NumLayers,
    int NumHeads,
    int RelativeAttentionNumBuckets,
    int RelativeAttentionMaxDistance,
    float LayerNormEpsilon,
    bool IsGatedAct,
    string DenseActFn)
{
    /// <summary>ACT2FN names the graph writes: NewGELUActivation (tanh), GELUActivation (erf), ReLU.</summary>
    public static readonly string[] SupportedActivations = ["gelu_new", "gelu", "relu"];

    /// <summary>The inner width of attention: q, k, v project d_model to num_heads * d_kv (T5Attention.inner_dim).</summary>
    public int InnerDim => NumHeads * DKv;


    public static T5Config Read(string configJsonPath)
    {
        using var json = ConfigJson.Open(configJsonPath);

        // T5Config.__init__: feed_forward_proj "ACT" or "gated-ACT" gives dense_act_fn = ACT and is_gated_act;
        // "gated-gelu" maps to "gelu_new" for backwards compatibility (T5 v1.1 was trained with the tanh GELU).
        var feedForwardProj = json.OptionalString("feed_forward_proj") ?? "relu";
        var parts = feedForwardProj.Split('-');
        if ((parts.Length > 1 && parts[0] != "gated") || parts.Length > 2)
        {
            throw json.Invalid("feed_forward_proj", $"'{feedForwardProj}' is not 'ACT' or 'gated-ACT' (e.g. 'gated-gelu', 'relu')");
        }

        bool gated = parts[0] == "gated";
        var activation = feedForwardProj == "gated-gelu" ? "gelu_new" : parts[^1];

        // A saved config also carries the derived fields; PretrainedConfig sets them after __init__, so they win.
        activation = json.OptionalString("dense_act_fn") ?? activation;
        gated = json.OptionalBool("is_gated_act") ?? gated;
        if (!SupportedActivations.Contains(activation, StringComparer.Ordinal))
        {
            throw json.Invalid("dense_act_fn", $"'{activation}' (from feed_forward_proj '{feedForwardProj}') is not supported (allowed: {string.Join(", ", SupportedActivations)})");
        }

        var config = new T5Config(
            VocabSize: json.Int("vocab_size", 32128),
            DModel: json.Int("d_model", 512),
            DKv: json.Int("d_kv", 64),
            DFf: json.Int("d_ff", 2048),
            NumLayers: json.Int("num_layers", 6),
            NumHeads: json.Int("num_heads", 8),
            RelativeAttentionNumBuckets: json.Int("relative_attention_num_buckets", 32, min: 4),
            RelativeAttentionMaxDistance: json.Int("relative_attention_max_distance", 128),
            LayerNormEpsilon: json.Epsilon("layer_norm_epsilon", 1e-6f),
            IsGatedAct: gated,
            DenseActFn: activation);

        // _relative_position_bucket: half the (per-direction) buckets are exact, the log-spaced rest reach max_distance.
        int maxExact = config.RelativeAttentionNumBuckets / 2 / 2;
        if (config.RelativeAttentionMaxDistance <= maxExact)
        {
            throw json.Invalid("relative_attention_max_distance", $"{config.RelativeAttentionMaxDistance} must exceed the {maxExact} exactly-bucketed positions of {config.RelativeAttentionNumBuckets} buckets");
        }

        return config;
    }
}
