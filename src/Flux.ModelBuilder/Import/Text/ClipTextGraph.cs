using Flux.ModelBuilder.Onnx;
using static Onnx.TensorProto.Types;

namespace Flux.ModelBuilder.Import.Text;

/// <summary>
/// transformers' CLIPTextModel (models/clip/modeling_clip.py) as an ONNX graph whose parameters carry the
/// state-dict keys of FLUX.1's <c>text_encoder/model.safetensors</c>. Written by hand with the model builder (not
/// exported from PyTorch) so an import needs no Python and owns its graph: <c>input_ids</c> int64 (B, L) ->
/// <c>last_hidden_state</c> (B, L, D) and <c>pooler_output</c> (B, D), L = max_position_embeddings.
/// The graph computes in fp32; its parameters must reach it as fp32 (the importer widens fp16/bf16 weights
/// without rounding). Were it run in fp16, the causal mask's float.MinValue would become -inf, which softmax
/// still maps to zero because every row keeps its diagonal.
/// </summary>
internal static class ClipTextGraph
{
    public const string InputIds = "input_ids";
    public const string LastHiddenState = "last_hidden_state";
    public const string PoolerOutput = "pooler_output";

    private const string Prefix = "text_model";

    public static BuiltGraph Build(ClipTextConfig config, IParameterSource parameters)
    {
        ArgumentNullException.ThrowIfNull(config);
        var g = new GraphBuilder("clip_text_model", parameters);
        long width = config.HiddenSize, length = config.MaxPositionEmbeddings;
        var ids = g.Input(InputIds, DataType.Int64, "B", length);

        // CLIPTextEmbeddings.forward: token_embedding(input_ids) + position_embedding(arange(L)).
        var tokenTable = g.Trained($"{Prefix}.embeddings.token_embedding.weight", ParameterInit.Uniform(1.0), config.VocabSize, width);
        var positionTable = g.Trained($"{Prefix}.embeddings.position_embedding.weight", ParameterInit.Uniform(0.5), length, width);
        var h = g.Op("Add", [g.Op("Gather", [tokenTable, ids]), positionTable]); // (B, L, D)

        // CLIPTextTransformer.forward: the causal mask (_create_4d_causal_attention_mask / create_causal_mask)
        // holds torch.finfo(float32).min above the diagonal and 0 elsewhere.
        var causalMask = g.Constant("causal_mask", CausalMask((int)length), length, length); // (L, L)
        for (var layer = 0; layer < config.NumHiddenLayers; layer++)
        {
            h = EncoderLayer(g, h, $"{Prefix}.encoder.layers.{layer}", config, causalMask);
        }

        // CLIPTextTransformer.forward: final_layer_norm, then the pooled output at the end-of-text position.
        h = g.LayerNorm(h, $"{Prefix}.final_layer_norm", width, config.LayerNormEps); // (B, L, D)
        var endPosition = EndOfTextPosition(g, ids, config.EosTokenId); // (B, 1)
        var pooled = g.Op("GatherND", [h, endPosition], Attr.Int("batch_dims", 1)); // (B, D)

        g.Output(h, LastHiddenState, DataType.Float, "B", length, width);
        g.Output(pooled, PoolerOutput, DataType.Float, "B", width);
        return BuiltGraph.From(g, $"transformers CLIPTextModel: {config.NumHiddenLayers} layers, hidden {width}, {config.NumAttentionHeads} heads, {config.HiddenAct}.");
    }

    /// <summary>CLIPEncoderLayer.forward: pre-norm self-attention and MLP, each added to the residual stream.</summary>
    private static string EncoderLayer(GraphBuilder g, string h, string prefix, ClipTextConfig config, string causalMask)
    {
        long width = config.HiddenSize, heads = config.NumAttentionHeads, headDim = config.HeadDim;
        var normed = g.LayerNorm(h, prefix + ".layer_norm1", width, config.LayerNormEps); // (B, L, D)

        // CLIPAttention.forward with eager_attention_forward: softmax(q k^T * head_dim^-0.5 + causal mask) v.
        var q = g.SplitHeads(g.Linear(normed, prefix + ".self_attn.q_proj", width, width), heads, headDim); // (B, H, L, Dh)
        var k = g.SplitHeads(g.Linear(normed, prefix + ".self_attn.k_proj", width, width), heads, headDim); // (B, H, L, Dh)
        var v = g.SplitHeads(g.Linear(normed, prefix + ".self_attn.v_proj", width, width), heads, headDim); // (B, H, L, Dh)
        var attended = g.MergeHeads(g.ScaledDotProductAttention(q, k, v, headDim, causalMask), heads, headDim); // (B, L, D)
        h = g.Op("Add", [h, g.Linear(attended, prefix + ".self_attn.out_proj", width, width)]); // (B, L, D)

        // CLIPMLP.forward: fc2(act(fc1(x))) with ACT2FN[hidden_act].
        normed = g.LayerNorm(h, prefix + ".layer_norm2", width, config.LayerNormEps);
        var hidden = g.Linear(normed, prefix + ".mlp.fc1", width, config.IntermediateSize); // (B, L, I)
        hidden = config.HiddenAct == "quick_gelu" ? g.QuickGelu(hidden) : g.GeluErf(hidden);
        return g.Op("Add", [h, g.Linear(hidden, prefix + ".mlp.fc2", config.IntermediateSize, width)]); // (B, L, D)
    }

    /// <summary>
    /// CLIPTextTransformer.forward's pooling index, per row: with the legacy eos_token_id 2, argmax(input_ids)
    /// (the first largest id); otherwise the first position where input_ids == eos_token_id (argmax of the
    /// equality, 0 when the row has none). ONNX ArgMax, like torch.argmax, returns the first maximal index.
    /// </summary>
    private static string EndOfTextPosition(GraphBuilder g, string ids, int eosTokenId)
    {
        // Cast to int32 as transformers does before argmax; ids are below the vocabulary size.
        var scores = eosTokenId == ClipTextConfig.LegacyEosTokenId
            ? g.Op("Cast", [ids], Attr.Int("to", (long)DataType.Int32))
            : g.Op("Cast", [g.Op("Equal", [ids, g.Int64s(eosTokenId)])], Attr.Int("to", (long)DataType.Int32)); // (B, L)
        return g.Op("ArgMax", [scores], Attr.Int("axis", 1), Attr.Int("keepdims", 1)); // (B, 1)
    }

    private static float[] CausalMask(int length)
    {
        var mask = new float[length * length];
        for (var row = 0; row < length; row++)
        {
            for (var column = row + 1; column < length; column++)
            {
                mask[row * length + column] = float.MinValue;
            }
        }

        return mask;
    }
}
