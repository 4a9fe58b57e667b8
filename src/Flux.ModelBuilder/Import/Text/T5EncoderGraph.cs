using Flux.ModelBuilder.Onnx;
using static Onnx.TensorProto.Types;

namespace Flux.ModelBuilder.Import.Text;

/// <summary>
/// transformers' T5EncoderModel (models/t5/modeling_t5.py) as an ONNX graph whose parameters carry the
/// state-dict keys of FLUX.1's <c>text_encoder_2</c> safetensors. Written by hand with the model builder so an
/// import needs no Python: <c>input_ids</c> int64 (B, T) -> <c>last_hidden_state</c> (B, T, d_model), both axes
/// dynamic. There is no attention mask: padding takes part, as in diffusers' FluxPipeline and BFL's sampling
/// code. The relative-position bias is computed in the graph from T (Range, then a bucket lookup), so one
/// graph serves schnell's T = 256 and dev's T = 512.
/// Precision: the graph computes in fp32 and expects fp32 parameters (the importer widens fp16/bf16 weights
/// exactly). T5-XXL's feed-forward activations exceed fp16's 65504, which is why T5Block clamps fp16 hidden
/// states; this graph has no clamp, so it must not be converted to fp16 compute. Keep it fp32 (or bf16).
/// </summary>
internal static class T5EncoderGraph
{
    public const string InputIds = "input_ids";
    public const string LastHiddenState = "last_hidden_state";

    /// <summary>T5EncoderModel.shared, the embedding every checkpoint of the model holds.</summary>
    public const string SharedEmbedding = "shared.weight";

    /// <summary>encoder.embed_tokens is tied to shared (T5EncoderModel._tied_weights_keys); some files keep only this name.</summary>
    public const string EncoderEmbedding = "encoder.embed_tokens.weight";

    public static BuiltGraph Build(T5Config config, IParameterSource parameters)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(parameters);
        var g = new GraphBuilder("t5_encoder", parameters);
        var ids = g.Input(InputIds, DataType.Int64, "B", "T");

        // T5Stack.forward: inputs_embeds = embed_tokens(input_ids), embed_tokens being the tied shared embedding.
        var table = g.Trained(EmbeddingKey(parameters), ParameterInit.Uniform(1.0), config.VocabSize, config.DModel);
        var h = g.Op("Gather", [table, ids]); // (B, T, D)

        // T5Stack.forward: block 0's position_bias is passed to every later block (only block 0 has
        // relative_attention_bias); with no mask it is the bias alone.
        var positionBias = RelativePositionBias(g, ids, config); // (1, H, T, T)
        for (var block = 0; block < config.NumLayers; block++)
        {
            h = Block(g, h, $"encoder.block.{block}.layer", config, positionBias);
        }

        h = LayerNorm(g, h, "encoder.final_layer_norm.weight", config); // (B, T, D)
        g.Output(h, LastHiddenState, DataType.Float, "B", "T", config.DModel);
        return BuiltGraph.From(g, $"transformers T5EncoderModel: {config.NumLayers} blocks, d_model {config.DModel}, {config.NumHeads} heads, {(config.IsGatedAct ? "gated-" : "")}{config.DenseActFn}.");
    }

    /// <summary>
    /// The key the embedding is read under: <c>shared.weight</c>, or <c>encoder.embed_tokens.weight</c> when a
    /// cataloguing source (<see cref="IParameterCatalog"/>) holds only the tied copy.
    /// </summary>
    public static string EmbeddingKey(IParameterSource parameters) =>
        parameters is IParameterCatalog catalog && !catalog.Contains(SharedEmbedding) && catalog.Contains(EncoderEmbedding)
            ? EncoderEmbedding
            : SharedEmbedding;

    /// <summary>T5Block.forward (encoder): T5LayerSelfAttention then T5LayerFF, each pre-norm with a residual add.</summary>
    private static string Block(GraphBuilder g, string h, string prefix, T5Config config, string positionBias)
    {
        // T5LayerSelfAttention.forward: h + SelfAttention(layer_norm(h)).
        var normed = LayerNorm(g, h, prefix + ".0.layer_norm.weight", config);
        h = g.Op("Add", [h, SelfAttention(g, normed, prefix + ".0.SelfAttention", config, positionBias)]); // (B, T, D)

        // T5LayerFF.forward: h + DenseReluDense(layer_norm(h)).
        normed = LayerNorm(g, h, prefix + ".1.layer_norm.weight", config);
        return g.Op("Add", [h, FeedForward(g, normed, prefix + ".1.DenseReluDense", config)]); // (B, T, D)
    }

    /// <summary>
    /// T5Attention.forward: softmax(q k^T + position_bias) v with NO 1/sqrt(d_kv) factor (Mesh TensorFlow folds it
    /// into the initialisation of q), then o. q, k, v, o have no bias.
    /// </summary>
    private static string SelfAttention(GraphBuilder g, string x, string prefix, T5Config config, string positionBias)
    {
        long width = config.DModel, inner = config.InnerDim, heads = config.NumHeads, headDim = config.DKv;
        var q = g.SplitHeads(g.Linear(x, prefix + ".q", width, inner, bias: false), heads, headDim); // (B, H, T, Dkv)
        var k = g.SplitHeads(g.Linear(x, prefix + ".k", width, inner, bias: false), heads, headDim); // (B, H, T, Dkv)
        var v = g.SplitHeads(g.Linear(x, prefix + ".v", width, inner, bias: false), heads, headDim); // (B, H, T, Dkv)
        var scores = g.Op("Add", [g.Op("MatMul", [q, g.Op("Transpose", [k], Attr.Ints("perm", 0, 1, 3, 2))]), positionBias]); // (B, H, T, T)
        var attended = g.Op("MatMul", [g.Op("Softmax", [scores], Attr.Int("axis", -1)), v]); // (B, H, T, Dkv)
        return g.Linear(g.MergeHeads(attended, heads, headDim), prefix + ".o", inner, width, bias: false); // (B, T, D)
    }

    /// <summary>T5DenseGatedActDense.forward: wo(act(wi_0 x) * wi_1 x); T5DenseActDense.forward: wo(act(wi x)).</summary>
    private static string FeedForward(GraphBuilder g, string x, string prefix, T5Config config)
    {
        long width = config.DModel, hidden = config.DFf;
        var y = config.IsGatedAct
            ? g.Op("Mul", [Activation(g, g.Linear(x, prefix + ".wi_0", width, hidden, bias: false), config), g.Linear(x, prefix + ".wi_1", width, hidden, bias: false)])
            : Activation(g, g.Linear(x, prefix + ".wi", width, hidden, bias: false), config); // (B, T, F)
        return g.Linear(y, prefix + ".wo", hidden, width, bias: false); // (B, T, D)
    }

    /// <summary>ACT2FN[dense_act_fn] (transformers activations.py): gelu_new is NewGELUActivation, the tanh approximation.</summary>
    private static string Activation(GraphBuilder g, string x, T5Config config) => config.DenseActFn switch
    {
        "gelu_new" => g.GeluTanh(x),
        "gelu" => g.GeluErf(x),
        "relu" => g.Op("Relu", [x]),
        _ => throw new NotSupportedException($"T5 activation '{config.DenseActFn}' has no graph (allowed: {string.Join(", ", T5Config.SupportedActivations)})"),
    };

    /// <summary>
    /// T5LayerNorm.forward: weight * x * rsqrt(mean(x^2) + eps): an RMS norm with no mean subtracted and no bias,
    /// its variance taken in fp32 (the whole graph is fp32).
    /// </summary>
    private static string LayerNorm(GraphBuilder g, string x, string weightName, T5Config config) =>
        g.RmsNorm(x, weightName, config.DModel, config.LayerNormEpsilon);

    /// <summary>
    /// T5Attention.compute_bias for block 0: relative_position = memory_position - query_position over arange(T),
    /// bucketed bidirectionally (T5RelativePosition), looked up in relative_attention_bias (buckets, H) and
    /// permuted to (1, H, T, T).
    /// </summary>
    private static string RelativePositionBias(GraphBuilder g, string ids, T5Config config)
    {
        int maxDistance = config.RelativeAttentionMaxDistance;
        var length = g.Op("Gather", [g.Op("Shape", [ids]), g.ScalarInt64(1)]); // () = T
        var positions = g.Op("Range", [g.ScalarInt64(0), length, g.ScalarInt64(1)]); // (T)
        var relative = g.Op("Sub", [g.Unsqueeze(positions, 0), g.Unsqueeze(positions, 1)]); // (T, T): [i, j] = j - i
        var clipped = g.Op("Max", [g.Op("Min", [relative, g.Int64s(maxDistance)]), g.Int64s(-maxDistance)]); // (T, T)
        var table = g.Int64Constant("t5_relative_position_buckets", T5RelativePosition.BucketTable(config.RelativeAttentionNumBuckets, maxDistance), 2L * maxDistance + 1);
        var buckets = g.Op("Gather", [table, g.Op("Add", [clipped, g.Int64s(maxDistance)])]); // (T, T)
        var biasTable = g.Trained("encoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight", ParameterInit.Uniform(1.0), config.RelativeAttentionNumBuckets, config.NumHeads);
        var bias = g.Op("Gather", [biasTable, buckets]); // (T, T, H)
        return g.Unsqueeze(g.Op("Transpose", [bias], Attr.Ints("perm", 2, 0, 1)), 0); // (1, H, T, T)
    }
}
