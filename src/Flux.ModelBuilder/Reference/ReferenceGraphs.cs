using Flux.Core;
using Flux.ModelBuilder.Onnx;
using Flux.ModelBuilder.Tiny;
using Flux.ModelBuilder.Tokenizers;
using Onnx;
using static Onnx.TensorProto.Types;

namespace Flux.ModelBuilder.Reference;

/// <summary>
/// The reference package's graphs: a keyword "CLIP" encoder, a T5-shaped embedding, and the exact
/// flow-matching velocity of the shape set, v(x, t) = (x - sum_k w_k x0_k) / t with
/// w = softmax_k(log pi_k - |x - (1 - t) x0_k|^2 / (2 t^2)).
/// </summary>
internal static class ReferenceGraphs
{
    /// <summary>Log-prior penalty per caption attribute an image does not match (e^-40 is negligible).</summary>
    public const float MismatchPenalty = 40f;

    /// <summary>The velocity is singular at t = 0; samplers never evaluate there, the graph clamps to this.</summary>
    public const float MinimumTime = 1e-4f;

    /// <summary>Width of the T5-shaped output (the transformer ignores it).</summary>
    public const int T5Width = 8;

    /// <summary>Features: shape colour (one per colour word), shape, background colour (one per colour word).</summary>
    public static int FeatureCount => 2 * ShapeDataset.Colours.Count + ShapeDataset.Shapes.Count;

    private static int TokenFeatureCount => ShapeDataset.Colours.Count + ShapeDataset.Shapes.Count + 1;

    /// <summary>
    /// input_ids (B, 77) -> pooler_output (B, 768) holding the keyword vector in its first features:
    /// a colour word counts as the shape's colour when a shape word follows it, as the background's
    /// when "background" follows it. last_hidden_state is the per-token keyword indicators.
    /// </summary>
    public static ModelProto BuildKeywordEncoder()
    {
        var g = new GraphBuilder("keyword_text_encoder", new WeightSource(0));
        const long length = TinyFluxOptions.ClipLength;
        var ids = g.Unsqueeze(g.Input("input_ids", DataType.Int64, "B", length), 2); // (B, 77, 1)
        var colour = Indicator(g, ids, ShapeDataset.Colours.Select(c => c.Name)); // (B, 77, 6)
        var shape = Indicator(g, ids, ShapeDataset.Shapes); // (B, 77, 3)
        var background = Indicator(g, ids, ["background"]); // (B, 77, 1)
        var anyShape = g.Op("ReduceMax", [shape], Attr.Ints("axes", 2), Attr.Int("keepdims", 1)); // (B, 77, 1)

        var nextToken = g.Constant("next_token", NextTokenMatrix((int)length), length, length); // row p picks token p+1
        var shapeColour = MaxOverTokens(g, g.Op("Mul", [colour, g.Op("MatMul", [nextToken, anyShape])])); // (B, 6)
        var backgroundColour = MaxOverTokens(g, g.Op("Mul", [colour, g.Op("MatMul", [nextToken, background])])); // (B, 6)
        var features = g.Op("Concat", [shapeColour, MaxOverTokens(g, shape), backgroundColour], Attr.Int("axis", 1)); // (B, 15)
        var embed = g.Constant("feature_embedding", FeatureEmbedding(), FeatureCount, TinyFluxOptions.PooledWidth);
        var pooled = g.Op("MatMul", [features, embed]); // (B, 768)
        var perToken = g.Op("Concat", [colour, shape, background], Attr.Int("axis", 2)); // (B, 77, 10)

        g.Output(perToken, "last_hidden_state", DataType.Float, "B", length, TokenFeatureCount);
        g.Output(pooled, "pooler_output", DataType.Float, "B", TinyFluxOptions.PooledWidth);
        return OnnxFileWriter.ToModel(g, "Keyword encoder over real CLIP token ids (not a neural network).");
    }

    /// <summary>input_ids (B, T) -> last_hidden_state (B, T, 8): a fixed embedding the transformer ignores.</summary>
    public static ModelProto BuildT5Embedding(int textLength, int vocabularySize, ulong seed)
    {
        var g = new GraphBuilder("t5_embedding", new WeightSource(seed));
        var ids = g.Input("input_ids", DataType.Int64, "B", textLength);
        var table = g.Trained("shared.weight", ParameterInit.Uniform(1.0), vocabularySize, T5Width);
        g.Output(g.Op("Gather", [table, ids]), "last_hidden_state", DataType.Float, "B", textLength, T5Width);
        return OnnxFileWriter.ToModel(g, "Fixed token embedding in T5's IO shape (its output is unused).");
    }

    /// <summary>The closed-form velocity of the set <paramref name="x0"/> (K, L*64), packed and VAE-scaled.</summary>
    public static ModelProto BuildTransformer(float[] x0, float[] priorMatrix, int imageCount, ImageSize size, int textLength, string outputName)
    {
        var g = new GraphBuilder("reference_velocity", new WeightSource(0));
        long tokens = size.SequenceLength, n = size.PackedLength;
        var hiddenStates = g.Input("hidden_states", DataType.Float, "B", tokens, FluxConstants.PackedChannels);
        g.Input("encoder_hidden_states", DataType.Float, "B", textLength, T5Width);
        var pooled = g.Input("pooled_projections", DataType.Float, "B", TinyFluxOptions.PooledWidth);
        var timestep = g.Input("timestep", DataType.Float, "B");
        g.Input("img_ids", DataType.Float, tokens, FluxConstants.PositionAxes);
        g.Input("txt_ids", DataType.Float, textLength, FluxConstants.PositionAxes);

        var images = g.Constant("x0", x0, imageCount, n); // (K, N)
        var x = g.Op("Reshape", [hiddenStates, g.Int64s(0, n)]); // (B, N)
        var t = g.Unsqueeze(g.Op("Max", [timestep, g.Scalar(MinimumTime)]), 1); // (B, 1)
        var logPrior = g.Op("MatMul", [pooled, g.Constant("log_prior", priorMatrix, TinyFluxOptions.PooledWidth, imageCount)]); // (B, K)
        var means = g.Op("Mul", [g.Unsqueeze(g.Op("Sub", [g.Scalar(1f), t]), 2), images]); // (1 - t) x0_k: (B, K, N)
        var squaredDistance = g.Op("ReduceSumSquare", [g.Op("Sub", [g.Unsqueeze(x, 1), means])], Attr.Ints("axes", 2), Attr.Int("keepdims", 0)); // (B, K)
        var twoTSquared = g.Op("Mul", [g.Op("Mul", [t, t]), g.Scalar(2f)]); // (B, 1)
        var weights = g.Op("Softmax", [g.Op("Sub", [logPrior, g.Op("Div", [squaredDistance, twoTSquared])])], Attr.Int("axis", 1)); // (B, K)
        var posteriorMean = g.Op("MatMul", [weights, images]); // sum_k w_k x0_k: (B, N)
        var velocity = g.Op("Div", [g.Op("Sub", [x, posteriorMean]), t]); // (B, N)
        var output = g.Op("Reshape", [velocity, g.Op("Shape", [hiddenStates])]); // (B, L, 64)

        g.Output(output, outputName, DataType.Float, "B", tokens, FluxConstants.PackedChannels);
        return OnnxFileWriter.ToModel(g, "Exact flow-matching velocity field of the built-in shape set (not a neural network).");
    }

    /// <summary>(768, K): log pi_k = pooled . column k = -penalty * (specified attributes image k does not match).</summary>
    public static float[] PriorMatrix(IReadOnlyList<ShapeImage> images)
    {
        var matrix = new float[TinyFluxOptions.PooledWidth * images.Count];
        var colours = ShapeDataset.Colours.Select(c => c.Name).ToList();
        for (var k = 0; k < images.Count; k++)
        {
            var features = Features(images[k], colours);
            for (var f = 0; f < FeatureCount; f++)
            {
                matrix[f * images.Count + k] = features[f] ? 0f : -MismatchPenalty;
            }
        }

        return matrix;
    }

    /// <summary>Which keyword features describe <paramref name="image"/>, in the encoder's feature order.</summary>
    private static bool[] Features(ShapeImage image, List<string> colours)
    {
        var features = new bool[FeatureCount];
        features[colours.IndexOf(image.Colour)] = true;
        features[colours.Count + ShapeDataset.Shapes.ToList().IndexOf(image.Shape)] = true;
        features[colours.Count + ShapeDataset.Shapes.Count + colours.IndexOf(image.Background)] = true;
        return features;
    }

    private static string Indicator(GraphBuilder g, string ids, IEnumerable<string> words)
    {
        var wordIds = g.Int64s([.. words.Select(ClipVocabulary.WordId)]);
        return g.Op("Cast", [g.Op("Equal", [ids, wordIds])], Attr.Int("to", (long)DataType.Float));
    }

    private static string MaxOverTokens(GraphBuilder g, string x) =>
        g.Op("ReduceMax", [x], Attr.Ints("axes", 1), Attr.Int("keepdims", 0));

    private static float[] NextTokenMatrix(int length)
    {
        var matrix = new float[length * length];
        for (var p = 0; p + 1 < length; p++)
        {
            matrix[p * length + p + 1] = 1f;
        }

        return matrix;
    }

    private static float[] FeatureEmbedding()
    {
        var matrix = new float[FeatureCount * TinyFluxOptions.PooledWidth];
        for (var f = 0; f < FeatureCount; f++)
        {
            matrix[f * TinyFluxOptions.PooledWidth + f] = 1f;
        }

        return matrix;
    }
}
