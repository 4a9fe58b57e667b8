using Flux.ModelBuilder.Onnx;
using Flux.ModelBuilder.Tokenizers;
using Onnx;
using static Onnx.TensorProto.Types;

namespace Flux.ModelBuilder.Tiny;

/// <summary>
/// The tiny text encoders: a CLIP-like one (token + position embedding, one causal pre-norm layer,
/// pooled at the end token as Hugging Face CLIP does, projected to 768) and a T5-like one (embedding,
/// one RMSNorm layer with gated-GELU feed-forward; unlike T5 it has no relative position bias and
/// scales attention by 1/sqrt(d)). Random weights.
/// </summary>
internal static class TinyEncoders
{
    /// <summary>Large negative logit that masks future tokens in CLIP's causal attention.</summary>
    private const float MaskedLogit = -1e9f;

    private const int ClipHeadWidth = 8;

    public static ModelProto BuildClip(TinyFluxOptions o)
    {
        var g = new GraphBuilder("clip_text_encoder", new WeightSource(o.Seed + 1));
        long width = o.ClipWidth, length = TinyFluxOptions.ClipLength, heads = Math.Max(1, width / ClipHeadWidth), headDim = width / heads;
        var ids = g.Input("input_ids", DataType.Int64, "B", length);
        var tokenTable = g.Trained("text_model.embeddings.token_embedding.weight", ParameterInit.Uniform(1.0), ClipVocabulary.Size, width);
        var positions = g.Trained("text_model.embeddings.position_embedding.weight", ParameterInit.Uniform(0.5), length, width);
        var h = g.Op("Add", [g.Op("Gather", [tokenTable, ids]), positions]); // (B, 77, Dc)

        const string layer = "text_model.encoder.layers.0";
        var normed = g.LayerNorm(h, layer + ".layer_norm1", width);
        var q = g.SplitHeads(g.Linear(normed, layer + ".self_attn.q_proj", width, width), heads, headDim);
        var k = g.SplitHeads(g.Linear(normed, layer + ".self_attn.k_proj", width, width), heads, headDim);
        var v = g.SplitHeads(g.Linear(normed, layer + ".self_attn.v_proj", width, width), heads, headDim);
        var causal = g.Constant("causal_mask", CausalMask((int)length), length, length);
        var attended = g.MergeHeads(g.ScaledDotProductAttention(q, k, v, headDim, causal), heads, headDim);
        h = g.Op("Add", [h, g.Linear(attended, layer + ".self_attn.out_proj", width, width)]);
        var mlp = g.Linear(g.QuickGelu(g.Linear(g.LayerNorm(h, layer + ".layer_norm2", width), layer + ".mlp.fc1", width, 4 * width)), layer + ".mlp.fc2", 4 * width, width);
        h = g.LayerNorm(g.Op("Add", [h, mlp]), "text_model.final_layer_norm", width); // (B, 77, Dc)

        // Pooled at argmax(input_ids): the first end-of-text token (49407 is the largest id).
        var endPosition = g.Op("ArgMax", [g.Op("Cast", [ids], Attr.Int("to", (long)DataType.Float))], Attr.Int("axis", 1), Attr.Int("keepdims", 1)); // (B, 1)
        var oneHot = g.Op("Cast", [g.Op("Equal", [g.Int64s(Enumerable.Range(0, (int)length).Select(i => (long)i).ToArray()), endPosition])], Attr.Int("to", (long)DataType.Float)); // (B, 77)
        var pooled = g.Op("Reshape", [g.Op("MatMul", [g.Unsqueeze(oneHot, 1), h]), g.Int64s(0, width)]); // (B, Dc)
        var projected = g.Linear(pooled, "text_projection", width, TinyFluxOptions.PooledWidth, bias: false); // (B, 768)

        g.Output(h, "last_hidden_state", DataType.Float, "B", length, width);
        g.Output(projected, "pooler_output", DataType.Float, "B", TinyFluxOptions.PooledWidth);
        return OnnxFileWriter.ToModel(g, "Tiny CLIP-like text encoder with random weights (not a trained model).");
    }

    public static ModelProto BuildT5(TinyFluxOptions o, int vocabularySize)
    {
        var g = new GraphBuilder("t5_encoder", new WeightSource(o.Seed + 2));
        long width = o.T5Width, heads = Math.Max(1, width / 64), headDim = width / heads, feedForward = 2 * width;
        var ids = g.Input("input_ids", DataType.Int64, "B", o.TextLength);
        var table = g.Trained("shared.weight", ParameterInit.Uniform(1.0), vocabularySize, width);
        var h = g.Op("Gather", [table, ids]); // (B, T, Dt)

        const string block = "encoder.block.0.layer";
        var normed = g.RmsNorm(h, block + ".0.layer_norm.weight", width);
        var q = g.SplitHeads(g.Linear(normed, block + ".0.SelfAttention.q", width, width, bias: false), heads, headDim);
        var k = g.SplitHeads(g.Linear(normed, block + ".0.SelfAttention.k", width, width, bias: false), heads, headDim);
        var v = g.SplitHeads(g.Linear(normed, block + ".0.SelfAttention.v", width, width, bias: false), heads, headDim);
        var attended = g.MergeHeads(g.ScaledDotProductAttention(q, k, v, headDim), heads, headDim);
        h = g.Op("Add", [h, g.Linear(attended, block + ".0.SelfAttention.o", width, width, bias: false)]);

        normed = g.RmsNorm(h, block + ".1.layer_norm.weight", width);
        var gate = g.GeluTanh(g.Linear(normed, block + ".1.DenseReluDense.wi_0", width, feedForward, bias: false));
        var up = g.Linear(normed, block + ".1.DenseReluDense.wi_1", width, feedForward, bias: false);
        h = g.Op("Add", [h, g.Linear(g.Op("Mul", [gate, up]), block + ".1.DenseReluDense.wo", feedForward, width, bias: false)]);
        h = g.RmsNorm(h, "encoder.final_layer_norm.weight", width); // (B, T, Dt)

        g.Output(h, "last_hidden_state", DataType.Float, "B", o.TextLength, width);
        return OnnxFileWriter.ToModel(g, "Tiny T5-like text encoder with random weights (not a trained model).");
    }

    private static float[] CausalMask(int length)
    {
        var mask = new float[length * length];
        for (var row = 0; row < length; row++)
        {
            for (var column = row + 1; column < length; column++)
            {
                mask[row * length + column] = MaskedLogit;
            }
        }

        return mask;
    }
}
