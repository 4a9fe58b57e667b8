using System.Collections.Concurrent;

namespace Flux.Inference.Tensors;

/// <summary>
/// Per-image arrays (noise state, RGB pixels) of exactly the requested length, kept for reuse after their
/// image is done. A fresh multi-megabyte array costs page faults on first write (about 1 to 3 ms for the
/// 3 MiB of a 1024x1024 image on the benchmark machine, as much as converting the pixels); a reused one is
/// already mapped. At most <see cref="MaxPerLength"/> arrays of each length are kept; unreturned arrays are
/// simply collected.
/// </summary>
internal sealed class ExactLengthPool<T>
{
    /// <summary>Arrays kept per length: enough for the images of a few concurrent requests.</summary>
    public const int MaxPerLength = 4;

    private readonly ConcurrentDictionary<int, ConcurrentQueue<T[]>> _free = new();

    /// <summary>A reused array of <paramref name="length"/> elements, or a new one; its contents are undefined.</summary>
    public T[] Rent(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(length);
        return _free.TryGetValue(length, out var queue) && queue.TryDequeue(out var array)
            ? array
            : GC.AllocateUninitializedArray<T>(length);
    }

    /// <summary>Keeps <paramref name="array"/> for a later <see cref="Rent"/>; the caller must not use it afterwards.</summary>
    public void Return(T[] array)
    {
        ArgumentNullException.ThrowIfNull(array);
        var queue = _free.GetOrAdd(array.Length, static _ => new ConcurrentQueue<T[]>());
        if (queue.Count < MaxPerLength)
        {
            queue.Enqueue(array);
        }
    }
}
