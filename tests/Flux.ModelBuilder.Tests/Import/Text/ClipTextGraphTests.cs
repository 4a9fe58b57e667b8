using Flux.ModelBuilder.Import.Text;

namespace Flux.ModelBuilder.Tests.Import.Text;

/// <summary>The imported CLIP text encoder computes what transformers' CLIPTextModel computes.</summary>
public sealed class ClipTextGraphTests
{
    private const double Tolerance = 1e-4;
    private const int Length = 77;
    private const long StartOfText = 49406, EndOfText = 49407;

    /// <summary>A small CLIP text tower with the real vocabulary and sequence length (FLUX's config has eos_token_id 2).</summary>
    private static readonly ClipTextConfig Small = new(
        VocabSize: 49408, HiddenSize: 32, IntermediateSize: 48, NumHiddenLayers: 2, NumAttentionHeads: 4,
        MaxPositionEmbeddings: Length, HiddenAct: "quick_gelu", LayerNormEps: 1e-5f, BosTokenId: 0, EosTokenId: ClipTextConfig.LegacyEosTokenId);

    [Fact]
    public void LegacyEosConfig_MatchesTransformers_ForPromptsOfDifferentLengthsInOneBatch()
    {
        // FLUX's tokenizer pads with the end-of-text token; id 2 inside a prompt must not be taken for it.
        var ids = TextGraphRun.Padded(Length, EndOfText,
            [StartOfText, 320, 1125, EndOfText],
            [StartOfText, 2, 530, 7117, 539, 320, 2368, 593, 2, 4380, 268, EndOfText],
            [StartOfText, .. Enumerable.Range(0, 40).Select(i => (long)(1000 + 37 * i)), EndOfText]);

        var (checkpoint, outputs) = Run(Small, ids, 3);

        Assert.Equal([3, 11, 41], PooledIndices(Small, ids, 3));
        AssertMatchesReference(Small, checkpoint, ids, 3, outputs);
        Assert.Empty(checkpoint.Unused);
    }

    [Fact]
    public void ConfigWithTheRealEosId_PoolsAtTheFirstEndToken_NotAtTheLargestId()
    {
        // After transformers PR #24773 a config names the real end token; added tokens (ids above it) then exist,
        // and argmax(input_ids) would pick them. Padding here is id 0, so the first end token is the only one.
        var config = Small with { VocabSize = 49410, EosTokenId = (int)EndOfText, NumHiddenLayers = 1 };
        var ids = TextGraphRun.Padded(Length, 0,
            [StartOfText, 49409, 320, EndOfText],
            [StartOfText, 320, 49408, 1125, 530, 49409, 7117, 539, EndOfText, 49409]);

        var (checkpoint, outputs) = Run(config, ids, 2);

        Assert.Equal([3, 8], PooledIndices(config, ids, 2));
        AssertMatchesReference(config, checkpoint, ids, 2, outputs);
    }

    [Fact]
    public void GeluConfig_UsesTheExactGelu()
    {
        var config = Small with { HiddenAct = "gelu", NumHiddenLayers = 1 };
        var ids = TextGraphRun.Padded(Length, EndOfText, [StartOfText, 320, 1125, 530, EndOfText], [StartOfText, 7117, EndOfText]);

        var (checkpoint, outputs) = Run(config, ids, 2);

        AssertMatchesReference(config, checkpoint, ids, 2, outputs);
    }

    private static (InMemoryCheckpoint Checkpoint, float[][] Outputs) Run(ClipTextConfig config, long[] ids, int batch)
    {
        var checkpoint = new InMemoryCheckpoint(TransformersTextKeys.Clip(config), seed: 7);
        var graph = ClipTextGraph.Build(config, checkpoint);
        return (checkpoint, TextGraphRun.Outputs(graph, ids, batch, Length, ClipTextGraph.LastHiddenState, ClipTextGraph.PoolerOutput));
    }

    private static int[] PooledIndices(ClipTextConfig config, long[] ids, int batch) =>
        Enumerable.Range(0, batch).Select(b => ClipTextReference.PooledIndex(config, ids.AsSpan(b * Length, Length))).ToArray();

    private static void AssertMatchesReference(ClipTextConfig config, InMemoryCheckpoint checkpoint, long[] ids, int batch, float[][] outputs)
    {
        var (hidden, pooled) = ClipTextReference.Forward(config, name => checkpoint[name], ids, batch);
        ReferenceMath.AssertClose(hidden, outputs[0], Tolerance, "last_hidden_state");
        ReferenceMath.AssertClose(pooled, outputs[1], Tolerance, "pooler_output");
    }
}
