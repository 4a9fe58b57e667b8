using System.Numerics.Tensors;

namespace Flux.ModelBuilder.Import;

/// <summary>
/// W[FirstRow + i, :] += Scale * sum_r Up[i, r] * Down[r, :] for i in [0, Rows): one LoRA's change to a
/// block of rows of a (fused) weight. <see cref="Up"/> is (Rows, Rank), <see cref="Down"/> is (Rank, Columns), fp32.
/// </summary>
internal sealed record LowRankUpdate(string Source, long FirstRow, int Rows, int Rank, int Columns, float[] Up, float[] Down, float Scale)
{
    /// <summary>Adds this update's rows that fall in [<paramref name="firstRow"/>, + rows of <paramref name="block"/>) to the block (row-major, <see cref="Columns"/> wide).</summary>
    public void AddTo(Span<float> block, long firstRow)
    {
        long blockRows = block.Length / Columns;
        long from = Math.Max(firstRow, FirstRow), to = Math.Min(firstRow + blockRows, FirstRow + Rows);
        for (long row = from; row < to; row++)
        {
            var target = block.Slice((int)((row - firstRow) * Columns), Columns);
            var upRow = Up.AsSpan((int)((row - FirstRow) * Rank), Rank);
            for (var r = 0; r < Rank; r++)
            {
                TensorPrimitives.MultiplyAdd(Down.AsSpan(r * Columns, Columns), Scale * upRow[r], target, target); // target += factor * Down[r, :]
            }
        }
    }
}
