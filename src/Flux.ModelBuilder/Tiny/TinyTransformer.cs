using Flux.Core;
using Flux.ModelBuilder.Onnx;
using Flux.ModelBuilder.Onnx.Int4;
using Onnx;
using static Onnx.TensorProto.Types;

namespace Flux.ModelBuilder.Tiny;

/// <summary>
/// The FLUX.1 transformer (black-forest-labs/flux, model.py and modules/layers.py) as an ONNX graph:
/// img_in, time_in, guidance_in (dev), vector_in, txt_in, double-stream and single-stream blocks
/// with QK RMSNorm and 3-axis RoPE, final_layer. Initializer names and shapes are BFL's state-dict keys.
/// </summary>
internal static class TinyTransformer
{
    /// <summary>The built-in tiny transformer with seeded random weights.</summary>
    public static ModelProto Build(TinyFluxOptions o) =>
        Build(o, new RandomParameters(new WeightSource(o.Seed)),
            $"Tiny FLUX.1-{o.Variant.ToString().ToLowerInvariant()} architecture transformer with random weights (not a trained model).").Model;

    /// <summary>The transformer with its parameters from <paramref name="parameters"/> (a checkpoint for imports).</summary>
    public static BuiltGraph Build(TinyFluxOptions o, IParameterSource parameters, string docString)
    {
        var g = new GraphBuilder("flux_transformer", parameters)
        {
            LinearQuantization = o.Int4 is null ? null : new LinearQuantization(o.Int4, IsBlockLinear),
        };
        long hidden = o.HiddenSize, textLength = o.TextLength;
        var hiddenStates = g.Input("hidden_states", DataType.Float, "B", "L", FluxConstants.PackedChannels);
        var context = g.Input("encoder_hidden_states", DataType.Float, "B", textLength, o.T5Width);
        var pooled = g.Input("pooled_projections", DataType.Float, "B", o.PooledProjectionWidth);
        var timestep = g.Input("timestep", DataType.Float, "B");
        var imgIds = g.Input("img_ids", DataType.Float, "L", FluxConstants.PositionAxes);
        var txtIds = g.Input("txt_ids", DataType.Float, textLength, FluxConstants.PositionAxes);
        var guidance = o.Variant == FluxVariant.Dev ? g.Input("guidance", DataType.Float, "B") : null;

        var img = g.Linear(hiddenStates, "img_in", FluxConstants.PackedChannels, hidden); // (B, L, H)
        var txt = g.Linear(context, "txt_in", o.T5Width, hidden); // (B, T, H)
        var vec = MlpEmbedder(g, TimestepEmbedding(g, timestep), "time_in", TinyFluxOptions.TimestepEmbeddingWidth, hidden); // (B, H)
        if (guidance is not null)
        {
            vec = g.Op("Add", [vec, MlpEmbedder(g, TimestepEmbedding(g, guidance), "guidance_in", TinyFluxOptions.TimestepEmbeddingWidth, hidden)]);
        }

        vec = g.Op("Add", [vec, MlpEmbedder(g, pooled, "vector_in", o.PooledProjectionWidth, hidden)]);
        var siluVec = g.Silu(vec); // every Modulation applies SiLU to vec first
        var rope = Rope.Angles(g, g.Op("Concat", [txtIds, imgIds], Attr.Int("axis", 0)), o.AxesDim); // (T+L, D/2, 1) x2

        var blocks = new FluxBlocks(g, o, siluVec, rope);
        for (var i = 0; i < o.DoubleBlocks; i++)
        {
            (img, txt) = blocks.DoubleStream($"double_blocks.{i}", img, txt);
        }

        var joint = g.Op("Concat", [txt, img], Attr.Int("axis", 1)); // (B, T+L, H)
        for (var i = 0; i < o.SingleBlocks; i++)
        {
            joint = blocks.SingleStream($"single_blocks.{i}", joint);
        }

        img = g.Op("Slice", [joint, g.Int64s(textLength), g.Int64s(long.MaxValue), g.Int64s(1)]); // (B, L, H)
        var velocity = FinalLayer(g, img, siluVec, hidden); // (B, L, 64)
        g.Output(velocity, o.TransformerOutputName, DataType.Float, "B", "L", FluxConstants.PackedChannels);
        return BuiltGraph.From(g, docString);
    }

    /// <summary>
    /// The linears stored as int4: every linear of the double and single blocks (about 99 % of FLUX.1's weights). The
    /// embedders (img_in, txt_in, time_in, vector_in, guidance_in) and final_layer stay fp32: they read the raw inputs
    /// and write the velocity directly, so their error reaches the output without passing a residual stream, and they are small.
    /// </summary>
    private static bool IsBlockLinear(string prefix) =>
        prefix.StartsWith("double_blocks.", StringComparison.Ordinal) || prefix.StartsWith("single_blocks.", StringComparison.Ordinal);

    /// <summary>BFL timestep_embedding(t, 256): t*1000 times 10000^(-i/128), then [cos, sin]. (B) -> (B, 256).</summary>
    private static string TimestepEmbedding(GraphBuilder g, string t)
    {
        const int half = TinyFluxOptions.TimestepEmbeddingWidth / 2;
        const double maxPeriod = 10_000, timeFactor = 1_000;
        var frequencies = g.SharedConstant("timestep_frequencies", () => Enumerable.Range(0, half)
            .Select(i => (float)Math.Exp(-Math.Log(maxPeriod) * i / half)).ToArray(), 1, half);
        var args = g.Op("Mul", [g.Unsqueeze(g.Op("Mul", [t, g.Scalar((float)timeFactor)]), 1), frequencies]); // (B, 128)
        return g.Op("Concat", [g.Op("Cos", [args]), g.Op("Sin", [args])], Attr.Int("axis", -1)); // (B, 256)
    }

    /// <summary>MLPEmbedder: out_layer(silu(in_layer(x))).</summary>
    private static string MlpEmbedder(GraphBuilder g, string x, string prefix, long inWidth, long hidden) =>
        g.Linear(g.Silu(g.Linear(x, prefix + ".in_layer", inWidth, hidden)), prefix + ".out_layer", hidden, hidden);

    /// <summary>LastLayer: shift, scale = adaLN_modulation(vec); linear((1 + scale) * norm(x) + shift).</summary>
    private static string FinalLayer(GraphBuilder g, string img, string siluVec, long hidden)
    {
        var modulation = g.Unsqueeze(g.Linear(siluVec, "final_layer.adaLN_modulation.1", hidden, 2 * hidden), 1); // (B, 1, 2H)
        var parts = g.Chunk(modulation, 2, hidden);
        var x = FluxBlocks.Modulate(g, g.LayerNormPlain(img, hidden), parts[0], parts[1]);
        return g.Linear(x, "final_layer.linear", hidden, FluxConstants.PackedChannels);
    }
}
