namespace Flux.ModelBuilder.Import.Text;

/// <summary>
/// The fields of transformers' <c>CLIPTextConfig</c> (configuration_clip.py) that shape CLIPTextModel, read from a
/// checkpoint's <c>text_encoder/config.json</c>. Absent fields take CLIPTextConfig's defaults; FLUX.1's file
/// (from openai/clip-vit-large-patch14) sets hidden 768, 12 layers, 12 heads, quick_gelu and eos_token_id 2.
/// </summary>
internal sealed record ClipTextConfig(
    int VocabSize,
    int HiddenSize,
    int IntermediateSize,
    int NumHiddenLayers,
    int NumAttentionHeads,
    int MaxPositionEmbeddings,
    string HiddenAct,
    float LayerNormEps,
    int BosTokenId,
    int EosTokenId)
{
    /// <summary>Activations of ACT2FN (transformers activations.py) the graph writes: QuickGELUActivation and GELUActivation (erf).</summary>
    public static readonly string[] SupportedActivations = ["quick_gelu", "gelu"];

    /// <summary>
    /// The <c>eos_token_id</c> of configs written before transformers PR #24773; CLIPTextTransformer.forward pools
    /// those at argmax(input_ids) (the end token has the largest id in CLIP's vocabulary) instead of at the token.
    /// </summary>
    public const int LegacyEosTokenId = 2;

    public int HeadDim => HiddenSize / NumAttentionHeads;


    public static ClipTextConfig Read(string configJsonPath)
    {
        using var json = ConfigJson.Open(configJsonPath);
        var config = new ClipTextConfig(
            VocabSize: json.Int("vocab_size", 49408),
            HiddenSize: json.Int("hidden_size", 512),
            IntermediateSize: json.Int("intermediate_size", 2048),
            NumHiddenLayers: json.Int("num_hidden_layers", 12),
            NumAttentionHeads: json.Int("num_attention_heads", 8),
            MaxPositionEmbeddings: json.Int("max_position_embeddings", 77),
            HiddenAct: json.Choice("hidden_act", "quick_gelu", SupportedActivations),
            LayerNormEps: json.Epsilon("layer_norm_eps", 1e-5f),
            BosTokenId: json.Int("bos_token_id", 49406, min: 0),
            EosTokenId: json.Int("eos_token_id", 49407, min: 0));
        if (config.HiddenSize % config.NumAttentionHeads != 0)
        {
            // CLIPAttention.__init__ raises the same: embed_dim must be divisible by num_heads.
            throw json.Invalid("hidden_size", $"{config.HiddenSize} is not divisible by num_attention_heads {config.NumAttentionHeads}");
        }

        if (config.EosTokenId >= config.VocabSize)
        {
            throw json.Invalid("eos_token_id", $"{config.EosTokenId} is outside the vocabulary [0, {config.VocabSize - 1}]");
        }

        if (config.BosTokenId >= config.VocabSize)
        {
            throw json.Invalid("bos_token_id", $"{config.BosTokenId} is outside the vocabulary [0, {config.VocabSize - 1}]");
        }

        return config;
    }
}
