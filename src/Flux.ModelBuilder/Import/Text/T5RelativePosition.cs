namespace Flux.ModelBuilder.Import.Text;

/// <summary>
/// T5's relative-position buckets (transformers modeling_t5.py, T5Attention._relative_position_bucket, from
/// Mesh TensorFlow). The encoder graph looks buckets up in <see cref="BucketTable"/> instead of computing the
/// logarithm in ONNX: a bucket is a truncated float32 log ratio, and at boundaries such as distance 64 the
/// result depends on the last bit of log, which ONNX Runtime's vectorised Log need not share with PyTorch.
/// </summary>
internal static class T5RelativePosition
{
    /// <summary>
    /// _relative_position_bucket for one relative position (memory_position - query_position), restated with
    /// PyTorch's float32 arithmetic: log(float(n) / max_exact) / float(log(max_distance / max_exact)) * (buckets - max_exact).
    /// </summary>
    public static long Bucket(long relativePosition, bool bidirectional, int numBuckets, int maxDistance)
    {
        long bucket = 0;
        if (bidirectional)
        {
            numBuckets /= 2;
            bucket += relativePosition > 0 ? numBuckets : 0;
            relativePosition = Math.Abs(relativePosition);
        }
        else
        {
            relativePosition = -Math.Min(relativePosition, 0);
        }

        // Half of the buckets are exact increments; the other half grow logarithmically up to max_distance.
        int maxExact = numBuckets / 2;
        if (relativePosition < maxExact)
        {
            return bucket + relativePosition;
        }

        float logRatio = MathF.Log((float)relativePosition / maxExact) / (float)Math.Log((double)maxDistance / maxExact) * (numBuckets - maxExact);
        long ifLarge = Math.Min(maxExact + (long)logRatio, numBuckets - 1);
        return bucket + ifLarge;
    }

    /// <summary>
    /// Buckets of the bidirectional (encoder) relative positions -max_distance..max_distance, at index
    /// position + max_distance. Every position beyond ±max_distance falls in the same bucket as ±max_distance
    /// (the log ratio reaches buckets - max_exact there and is capped at buckets - 1), so clipping the relative
    /// position to that range and looking it up gives _relative_position_bucket for any sequence length.
    /// </summary>
    public static long[] BucketTable(int numBuckets, int maxDistance)
    {
        var table = new long[2 * maxDistance + 1];
        for (var i = 0; i < table.Length; i++)
        {
            table[i] = Bucket(i - maxDistance, bidirectional: true, numBuckets, maxDistance);
        }

        return table;
    }
}
