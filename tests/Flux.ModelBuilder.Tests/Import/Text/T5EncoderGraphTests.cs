using Flux.ModelBuilder.Import.Text;

namespace Flux.ModelBuilder.Tests.Import.Text;

/// <summary>The imported T5 encoder computes what transformers' T5EncoderModel computes (no attention mask).</summary>
public sealed class T5EncoderGraphTests
{
    private const double Tolerance = 1e-4;

    /// <summary>A small T5 v1.1 encoder: gated tanh-GELU, 32 buckets up to distance 128 as in T5-XXL.</summary>
    private static readonly T5Config Small = new(
        VocabSize: 100, DModel: 32, DKv: 8, DFf: 48, NumLayers: 2, NumHeads: 4,
        RelativeAttentionNumBuckets: 32, RelativeAttentionMaxDistance: 128, LayerNormEpsilon: 1e-6f, IsGatedAct: true, DenseActFn: "gelu_new");

    [Fact]
    public void GatedGeluEncoder_MatchesTransformers_BeyondTheMaxDistance_AndUsesEveryKey()
    {
        // 140 tokens: relative positions cover the exact, the logarithmic and the capped (>= 128) buckets both ways.
        var checkpoint = AssertMatchesReference(Small, T5EncoderGraph.SharedEmbedding, batch: 2, length: 140, seed: 3);

        Assert.Empty(checkpoint.Unused);
    }

    [Fact]
    public void OneGraph_ServesAnySequenceLength()
    {
        var checkpoint = new InMemoryCheckpoint(TransformersTextKeys.T5(Small), seed: 11);
        var graph = T5EncoderGraph.Build(Small, checkpoint);
        foreach (var length in new[] { 1, 9, 40 })
        {
            var ids = RandomIds(Small, batch: 3, length, seed: length);
            var output = TextGraphRun.Outputs(graph, ids, 3, length, T5EncoderGraph.LastHiddenState)[0];
            ReferenceMath.AssertClose(T5EncoderReference.Forward(Small, n => checkpoint[n], T5EncoderGraph.SharedEmbedding, ids, 3, length), output, Tolerance, $"T = {length}");
        }
    }

    [Fact]
    public void ReluEncoder_UsesTheUngatedFeedForward()
    {
        var config = Small with { IsGatedAct = false, DenseActFn = "relu", NumLayers = 3 };

        var checkpoint = AssertMatchesReference(config, T5EncoderGraph.SharedEmbedding, batch: 2, length: 20, seed: 5);

        Assert.Empty(checkpoint.Unused);
    }

    [Fact]
    public void ACheckpointHoldingOnlyTheTiedEncoderEmbedding_IsReadUnderThatName()
    {
        var checkpoint = AssertMatchesReference(Small, T5EncoderGraph.EncoderEmbedding, batch: 1, length: 12, seed: 8);

        Assert.Empty(checkpoint.Unused);
    }

    [Fact]
    public void ACheckpointHoldingBothEmbeddingNames_IsReadFromShared()
    {
        var keys = TransformersTextKeys.T5(Small);
        keys[T5EncoderGraph.EncoderEmbedding] = keys[T5EncoderGraph.SharedEmbedding];
        var checkpoint = new InMemoryCheckpoint(keys, seed: 19);

        T5EncoderGraph.Build(Small, checkpoint);

        Assert.Equal([T5EncoderGraph.EncoderEmbedding], checkpoint.Unused);
    }

    [Fact]
    public void RelativePositionBuckets_HaveMeshTensorFlowsBoundaries_InTheReferenceAndInTheGraphsTable()
    {
        // 32 buckets, max distance 128: 16 per direction (keys after the query add 16), 8 exact distances, then
        // bucket 8 + floor(8 log(n / 8) / log 16), whose first distances are 8 * 16^(k / 8) rounded up.
        int[] firstDistanceOfBucket = [8, 12, 16, 23, 32, 46, 64, 91];
        var table = T5RelativePosition.BucketTable(32, 128);
        for (var n = 0; n <= 300; n++)
        {
            var expected = n < 8 ? n : 7 + firstDistanceOfBucket.Count(start => n >= start);
            Assert.Equal(expected, T5EncoderReference.RelativePositionBucket(-n, 32, 128));
            Assert.Equal(expected, table[128 - Math.Min(n, 128)]);
            if (n > 0)
            {
                Assert.Equal(16 + expected, T5EncoderReference.RelativePositionBucket(n, 32, 128));
                Assert.Equal(16 + expected, table[128 + Math.Min(n, 128)]);
            }
        }
    }

    /// <summary>
    /// Builds the graph over a seeded checkpoint that stores the embedding under <paramref name="embeddingKey"/>, runs
    /// it on random ids and compares it with the reference; returns the checkpoint to check which keys were read.
    /// </summary>
    private static InMemoryCheckpoint AssertMatchesReference(T5Config config, string embeddingKey, int batch, int length, int seed)
    {
        var ids = RandomIds(config, batch, length, seed);
        var checkpoint = new InMemoryCheckpoint(TransformersTextKeys.T5(config, embeddingKey), seed: 100 + seed);

        var output = TextGraphRun.Outputs(T5EncoderGraph.Build(config, checkpoint), ids, batch, length, T5EncoderGraph.LastHiddenState)[0];

        ReferenceMath.AssertClose(T5EncoderReference.Forward(config, n => checkpoint[n], embeddingKey, ids, batch, length), output, Tolerance, "last_hidden_state");
        return checkpoint;
    }

    private static long[] RandomIds(T5Config config, int batch, int length, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, batch * length).Select(_ => (long)random.Next(config.VocabSize)).ToArray();
    }
}
