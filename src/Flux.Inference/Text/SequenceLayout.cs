namespace Flux.Inference.Text;

/// <summary>The fixed-length id layout shared by the text encoders' inputs.</summary>
internal static class SequenceLayout
{
    /// <summary>Copies the first <c>min(ids.Count, destination.Length)</c> ids (truncation keeps the start); returns how many.</summary>
    public static int CopyTruncated(IReadOnlyList<int> ids, Span<long> destination) => CopyTruncated(ids, destination, fusedId: null);

    /// <summary>
    /// As <see cref="CopyTruncated(IReadOnlyList{int}, Span{long})"/>, but a run of consecutive <paramref name="fusedId"/>
    /// ids counts and is written as one id (SentencePiece merges runs of unknown pieces into one before truncation).
    /// </summary>
    public static int CopyTruncated(IReadOnlyList<int> ids, Span<long> destination, int? fusedId)
    {
        int count = 0;
        for (int i = 0; i < ids.Count && count < destination.Length; i++)
        {
            int id = ids[i];
            if (id == fusedId && i > 0 && ids[i - 1] == id)
            {
                continue;
            }

            destination[count++] = id;
        }

        return count;
    }
}
