using System.Buffers.Binary;
using System.Globalization;
using System.IO.Hashing;
using System.Runtime.InteropServices;

namespace Flux.Inference.Stages;

/// <summary>
/// The text encoders' output for a batch of prompts: CLIP's pooled vector (B, Dp) and T5's hidden
/// states (B, T, Dt). Serializable (little-endian, checksummed) so a durable activity can cache it.
/// </summary>
public sealed class TextConditioning
{
    private const int FormatVersion = 1;
    private const int HeaderInts = 5;
    private static ReadOnlySpan<byte> Magic => "FLUXCOND"u8;

    public TextConditioning(int batchSize, int t5Length, int t5Width, int pooledWidth, float[] pooled, float[] t5Hidden)
    {
        ArgumentNullException.ThrowIfNull(pooled);
        ArgumentNullException.ThrowIfNull(t5Hidden);
        if (batchSize <= 0 || t5Length <= 0 || t5Width <= 0 || pooledWidth <= 0)
        {
            throw new ArgumentException($"conditioning dimensions must be positive (B {batchSize}, T {t5Length}, Dt {t5Width}, Dp {pooledWidth})");
        }

        if (pooled.Length != (long)batchSize * pooledWidth || t5Hidden.Length != (long)batchSize * t5Length * t5Width)
        {
            throw new ArgumentException(
                $"conditioning holds {pooled.Length} pooled and {t5Hidden.Length} T5 values but (B {batchSize}, T {t5Length}, Dt {t5Width}, Dp {pooledWidth}) needs {batchSize * pooledWidth} and {(long)batchSize * t5Length * t5Width}");
        }

        BatchSize = batchSize;
        T5Length = t5Length;
        T5Width = t5Width;
        PooledWidth = pooledWidth;
        Pooled = pooled;
        T5Hidden = t5Hidden;
    }

    /// <summary>B: prompts encoded.</summary>
    public int BatchSize { get; }

    /// <summary>T: T5 tokens per prompt.</summary>
    public int T5Length { get; }

    /// <summary>Dt: T5 hidden width (4096 in FLUX.1).</summary>
    public int T5Width { get; }

    /// <summary>Dp: CLIP pooled width (768 in FLUX.1).</summary>
    public int PooledWidth { get; }

    /// <summary>(B, Dp) CLIP pooled output.</summary>
    public float[] Pooled { get; }

    /// <summary>(B, T, Dt) T5 last hidden state.</summary>
    public float[] T5Hidden { get; }

    /// <summary>The conditioning of prompt <paramref name="index"/> alone (B = 1).</summary>
    public TextConditioning Slice(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, BatchSize);
        int hidden = T5Length * T5Width;
        return new TextConditioning(1, T5Length, T5Width, PooledWidth,
            Pooled.AsSpan(index * PooledWidth, PooledWidth).ToArray(),
            T5Hidden.AsSpan(index * hidden, hidden).ToArray());
    }

    /// <summary>Stacks single conditionings into one batch, in order.</summary>
    public static TextConditioning Concat(IReadOnlyList<TextConditioning> parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        ArgumentOutOfRangeException.ThrowIfZero(parts.Count);
        var first = parts[0];
        if (parts.Any(p => p.T5Length != first.T5Length || p.T5Width != first.T5Width || p.PooledWidth != first.PooledWidth))
        {
            throw new ArgumentException("conditionings of different shapes cannot be batched", nameof(parts));
        }

        return new TextConditioning(parts.Sum(p => p.BatchSize), first.T5Length, first.T5Width, first.PooledWidth,
            parts.SelectMany(p => p.Pooled).ToArray(), parts.SelectMany(p => p.T5Hidden).ToArray());
    }

    /// <summary>Writes magic, version, dims, the float payloads (little-endian) and an XxHash64 of the payload.</summary>
    public void WriteTo(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        Span<byte> header = stackalloc byte[HeaderInts * sizeof(int)];
        BinaryPrimitives.WriteInt32LittleEndian(header, FormatVersion);
        BinaryPrimitives.WriteInt32LittleEndian(header[4..], BatchSize);
        BinaryPrimitives.WriteInt32LittleEndian(header[8..], T5Length);
        BinaryPrimitives.WriteInt32LittleEndian(header[12..], T5Width);
        BinaryPrimitives.WriteInt32LittleEndian(header[16..], PooledWidth);
        stream.Write(Magic);
        stream.Write(header);
        var hash = new XxHash64();
        WritePayload(stream, Pooled, hash);
        WritePayload(stream, T5Hidden, hash);
        Span<byte> checksum = stackalloc byte[sizeof(ulong)];
        BinaryPrimitives.WriteUInt64LittleEndian(checksum, hash.GetCurrentHashAsUInt64());
        stream.Write(checksum);
    }

    /// <summary>Reads what <see cref="WriteTo"/> wrote; throws <see cref="InvalidDataException"/> naming what is wrong.</summary>
    public static TextConditioning ReadFrom(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        Span<byte> magic = stackalloc byte[Magic.Length];
        Span<byte> header = stackalloc byte[HeaderInts * sizeof(int)];
        ReadExactly(stream, magic, "magic");
        if (!magic.SequenceEqual(Magic))
        {
            throw new InvalidDataException("not a text conditioning: the magic bytes are not FLUXCOND");
        }

        ReadExactly(stream, header, "header");
        int version = BinaryPrimitives.ReadInt32LittleEndian(header);
        if (version != FormatVersion)
        {
            throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture, $"text conditioning version {version} is not supported (expected {FormatVersion})"));
        }

        int batch = BinaryPrimitives.ReadInt32LittleEndian(header[4..]);
        int t5Length = BinaryPrimitives.ReadInt32LittleEndian(header[8..]);
        int t5Width = BinaryPrimitives.ReadInt32LittleEndian(header[12..]);
        int pooledWidth = BinaryPrimitives.ReadInt32LittleEndian(header[16..]);
        long pooledCount = (long)batch * pooledWidth, hiddenCount = (long)batch * t5Length * t5Width;
        if (batch <= 0 || t5Length <= 0 || t5Width <= 0 || pooledWidth <= 0 || hiddenCount > Array.MaxLength || pooledCount > Array.MaxLength)
        {
            throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture, $"text conditioning header is invalid (B {batch}, T {t5Length}, Dt {t5Width}, Dp {pooledWidth})"));
        }

        var hash = new XxHash64();
        float[] pooled = ReadPayload(stream, (int)pooledCount, hash);
        float[] hidden = ReadPayload(stream, (int)hiddenCount, hash);
        Span<byte> checksum = stackalloc byte[sizeof(ulong)];
        ReadExactly(stream, checksum, "checksum");
        if (BinaryPrimitives.ReadUInt64LittleEndian(checksum) != hash.GetCurrentHashAsUInt64())
        {
            throw new InvalidDataException("text conditioning is damaged: the checksum does not match");
        }

        return new TextConditioning(batch, t5Length, t5Width, pooledWidth, pooled, hidden);
    }

    private static void WritePayload(Stream stream, float[] values, XxHash64 hash)
    {
        ReadOnlySpan<byte> bytes = MemoryMarshal.AsBytes(values.AsSpan());
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("text conditioning serialization needs a little-endian machine");
        }

        hash.Append(bytes);
        stream.Write(bytes);
    }

    private static float[] ReadPayload(Stream stream, int count, XxHash64 hash)
    {
        var values = new float[count];
        Span<byte> bytes = MemoryMarshal.AsBytes(values.AsSpan());
        ReadExactly(stream, bytes, "payload");
        hash.Append(bytes);
        return values;
    }

    private static void ReadExactly(Stream stream, Span<byte> buffer, string part)
    {
        try
        {
            stream.ReadExactly(buffer);
        }
        catch (EndOfStreamException ex)
        {
            throw new InvalidDataException($"text conditioning is truncated (in its {part})", ex);
        }
    }
}
