using System.Buffers.Binary;
using System.Globalization;
using System.IO.Hashing;
using System.Runtime.InteropServices;
using System.Text;

namespace Flux.Core;

/// <summary>
/// The sampler checkpoint file, all integers little-endian. Version 2 adds an optional preview after the payload;
/// a checkpoint without one is written as version 1, byte for byte what builds before version 2 wrote and read.
/// <code>
/// offset  size  field
///      0     8  magic "FLUXCKPT" (ASCII)
///      8     4  version (int32): 1 without a preview, 2 with one
///     12     4  element type (int32): 1 = float32
///     16     4  rank R (int32), 1..8
///     20    4R  dimensions (int32 each, positive)
///   20+4R    4  step index (int32), 0..total steps
///   24+4R    4  total steps (int32), >= 1
///   28+4R    8  schedule fingerprint (uint64)
///   36+4R    8  payload length in bytes (int64) = product(dimensions) * 4
///   44+4R    N  payload: the latents, float32
/// version 2 only:
///  44+4R+N   8  preview length P in bytes (int64) = product(dimensions) / 16 * 3 (one RGB pixel per latent cell)
///  52+4R+N   P  preview: <see cref="LatentPreview.ToRgb"/> of the x0 estimate of the step that produced the state,
///               image after image ((H/8, W/8, 3) bytes each); see <see cref="SamplerCheckpoint.PreviewRgb"/>
/// both versions:
///      end   8  checksum: XxHash64 (seed 0) of every byte before it
/// </code>
/// </summary>
public static class CheckpointFormat
{
    /// <summary>The newest format version this build writes and reads (with a preview).</summary>
    public const int Version = 2;

    /// <summary>The version of a checkpoint without a preview; still written for those, and read.</summary>
    public const int VersionWithoutPreview = 1;

    /// <summary>Largest rank accepted.</summary>
    public const int MaxRank = 8;

    private const int FixedPrefixLength = 20;   // magic, version, element type, rank
    private const int SuffixLength = 24;        // step index, total steps, fingerprint, payload length
    private const int ChecksumLength = 8;
    private const int PreviewLengthFieldLength = 8;

    /// <summary>The 8 magic bytes at the start of every checkpoint.</summary>
    public static ReadOnlySpan<byte> Magic => "FLUXCKPT"u8;

    internal static void Write(SamplerCheckpoint checkpoint, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        EnsureLittleEndian();
        int rank = checkpoint.Shape.Length;
        Span<byte> header = stackalloc byte[FixedPrefixLength + (4 * MaxRank) + SuffixLength];
        header = header[..(FixedPrefixLength + (4 * rank) + SuffixLength)];
        Magic.CopyTo(header);
        byte[]? preview = checkpoint.PreviewRgb;
        BinaryPrimitives.WriteInt32LittleEndian(header[8..], preview is null ? VersionWithoutPreview : Version);
        BinaryPrimitives.WriteInt32LittleEndian(header[12..], (int)checkpoint.ElementType);
        BinaryPrimitives.WriteInt32LittleEndian(header[16..], rank);
        int at = FixedPrefixLength;
        foreach (int dimension in checkpoint.Shape)
        {
            BinaryPrimitives.WriteInt32LittleEndian(header[at..], dimension);
            at += 4;
        }

        BinaryPrimitives.WriteInt32LittleEndian(header[at..], checkpoint.Step);
        BinaryPrimitives.WriteInt32LittleEndian(header[(at + 4)..], checkpoint.TotalSteps);
        BinaryPrimitives.WriteUInt64LittleEndian(header[(at + 8)..], checkpoint.ScheduleFingerprint);
        ReadOnlySpan<byte> payload = MemoryMarshal.AsBytes(checkpoint.Latents.AsSpan());
        BinaryPrimitives.WriteInt64LittleEndian(header[(at + 16)..], payload.Length);

        Span<byte> previewLength = stackalloc byte[PreviewLengthFieldLength];
        BinaryPrimitives.WriteInt64LittleEndian(previewLength, preview?.Length ?? 0);

        var hash = new XxHash64();
        hash.Append(header);
        hash.Append(payload);
        if (preview is not null)
        {
            hash.Append(previewLength);
            hash.Append(preview);
        }

        Span<byte> checksum = stackalloc byte[ChecksumLength];
        BinaryPrimitives.WriteUInt64LittleEndian(checksum, hash.GetCurrentHashAsUInt64());
        stream.Write(header);
        stream.Write(payload);
        if (preview is not null)
        {
            stream.Write(previewLength);
            stream.Write(preview);
        }

        stream.Write(checksum);
    }

    internal static SamplerCheckpoint Read(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        EnsureLittleEndian();
        var hash = new XxHash64();
        Span<byte> prefix = stackalloc byte[FixedPrefixLength];
        int got = stream.ReadAtLeast(prefix, prefix.Length, throwOnEndOfStream: false);
        if (got >= Magic.Length && !prefix[..Magic.Length].SequenceEqual(Magic))
        {
            throw Fail(CheckpointFailure.BadMagic, $"not a sampler checkpoint: the file starts with '{Printable(prefix[..Magic.Length])}' instead of the magic 'FLUXCKPT'");
        }

        RequireBytes(got, prefix.Length, "header");
        int version = BinaryPrimitives.ReadInt32LittleEndian(prefix[8..]);
        if (version > Version)
        {
            throw Fail(CheckpointFailure.NewerVersion, $"checkpoint version {version} was written by a newer build; this build reads versions {VersionWithoutPreview} and {Version}");
        }

        if (version is not (VersionWithoutPreview or Version))
        {
            throw Fail(CheckpointFailure.UnsupportedVersion, $"checkpoint version {version} is not supported; this build reads versions {VersionWithoutPreview} and {Version}");
        }

        int elementType = BinaryPrimitives.ReadInt32LittleEndian(prefix[12..]);
        if (elementType != (int)CheckpointElementType.Float32)
        {
            throw Fail(CheckpointFailure.Malformed, $"checkpoint element type {elementType} is not supported; allowed: {(int)CheckpointElementType.Float32} (float32)");
        }

        int rank = BinaryPrimitives.ReadInt32LittleEndian(prefix[16..]);
        if (rank < 1 || rank > MaxRank)
        {
            throw Fail(CheckpointFailure.Malformed, $"checkpoint rank {rank} is out of range: it must be between 1 and {MaxRank}");
        }

        hash.Append(prefix);
        Span<byte> rest = stackalloc byte[(4 * rank) + SuffixLength];
        RequireBytes(stream.ReadAtLeast(rest, rest.Length, throwOnEndOfStream: false), rest.Length, "header");
        hash.Append(rest);
        var shape = new int[rank];
        for (int i = 0; i < rank; i++)
        {
            shape[i] = BinaryPrimitives.ReadInt32LittleEndian(rest[(4 * i)..]);
        }

        int at = 4 * rank;
        int stepIndex = BinaryPrimitives.ReadInt32LittleEndian(rest[at..]);
        int totalSteps = BinaryPrimitives.ReadInt32LittleEndian(rest[(at + 4)..]);
        ulong fingerprint = BinaryPrimitives.ReadUInt64LittleEndian(rest[(at + 8)..]);
        long payloadLength = BinaryPrimitives.ReadInt64LittleEndian(rest[(at + 16)..]);
        string? error = ValidateShape(shape, out long elements) ?? ValidateSteps(stepIndex, totalSteps);
        if (error is not null)
        {
            throw Fail(CheckpointFailure.Malformed, "checkpoint header is invalid: " + error);
        }

        if (payloadLength != elements * sizeof(float))
        {
            throw Fail(CheckpointFailure.Malformed, $"checkpoint payload length {payloadLength} bytes does not match shape {SamplerCheckpoint.FormatShape(shape)} of float32 ({elements * sizeof(float)} bytes)");
        }

        var latents = new float[elements];
        Span<byte> payload = MemoryMarshal.AsBytes(latents.AsSpan());
        RequireBytes(stream.ReadAtLeast(payload, payload.Length, throwOnEndOfStream: false), payload.Length, "payload");
        hash.Append(payload);
        byte[]? preview = version == Version ? ReadPreview(stream, hash, shape, elements) : null;

        Span<byte> checksum = stackalloc byte[ChecksumLength];
        RequireBytes(stream.ReadAtLeast(checksum, checksum.Length, throwOnEndOfStream: false), checksum.Length, "checksum");
        ulong stored = BinaryPrimitives.ReadUInt64LittleEndian(checksum);
        ulong computed = hash.GetCurrentHashAsUInt64();
        if (stored != computed)
        {
            throw Fail(CheckpointFailure.ChecksumMismatch, $"checkpoint checksum mismatch: stored {stored:x16}, computed {computed:x16}; the file is corrupted");
        }

        return new SamplerCheckpoint(shape, stepIndex, totalSteps, fingerprint, latents) { PreviewRgb = preview };
    }

    /// <summary>Version 2's preview length field and bytes; the length must be exactly the shape's (checked before allocating).</summary>
    private static byte[] ReadPreview(Stream stream, XxHash64 hash, int[] shape, long elements)
    {
        Span<byte> lengthField = stackalloc byte[PreviewLengthFieldLength];
        RequireBytes(stream.ReadAtLeast(lengthField, lengthField.Length, throwOnEndOfStream: false), lengthField.Length, "preview length");
        hash.Append(lengthField);
        long length = BinaryPrimitives.ReadInt64LittleEndian(lengthField);
        long? expected = PreviewLength(elements);
        if (length != expected)
        {
            throw Fail(CheckpointFailure.Malformed, expected is null
                ? $"checkpoint preview of {length} bytes cannot belong to shape {SamplerCheckpoint.FormatShape(shape)}: its {elements} values are not whole latent cells of {FluxConstants.LatentChannels}"
                : $"checkpoint preview length {length} bytes does not match shape {SamplerCheckpoint.FormatShape(shape)} (one RGB pixel per latent cell: {expected} bytes)");
        }

        var preview = new byte[length];
        RequireBytes(stream.ReadAtLeast(preview, preview.Length, throwOnEndOfStream: false), preview.Length, "preview");
        hash.Append(preview);
        return preview;
    }

    /// <summary>
    /// Bytes of the RGB preview of <paramref name="latentValues"/> latent values: 3 per latent cell of 16 channels
    /// (for (B, L, 64): B images of (H/8, W/8, 3)); null when the values are not whole cells.
    /// </summary>
    internal static long? PreviewLength(long latentValues)
        => latentValues % FluxConstants.LatentChannels == 0 ? latentValues / FluxConstants.LatentChannels * LatentPreview.RgbChannels : null;

    internal static string? ValidateShape(ReadOnlySpan<int> shape, out long elements)
    {
        elements = 1;
        if (shape.Length < 1 || shape.Length > MaxRank)
        {
            return string.Create(CultureInfo.InvariantCulture, $"rank {shape.Length} is out of range: it must be between 1 and {MaxRank}");
        }

        foreach (int dimension in shape)
        {
            if (dimension <= 0)
            {
                return $"shape {SamplerCheckpoint.FormatShape(shape)} has a dimension that is not positive";
            }

            elements *= dimension;
            if (elements > Array.MaxLength / sizeof(float))
            {
                return $"shape {SamplerCheckpoint.FormatShape(shape)} is too large for one checkpoint";
            }
        }

        return null;
    }

    internal static string? ValidateSteps(int stepIndex, int totalSteps)
    {
        if (totalSteps < 1)
        {
            return string.Create(CultureInfo.InvariantCulture, $"total steps {totalSteps} must be at least 1");
        }

        return stepIndex < 0 || stepIndex > totalSteps
            ? string.Create(CultureInfo.InvariantCulture, $"step index {stepIndex} is out of range: it must be between 0 and {totalSteps}")
            : null;
    }

    private static void RequireBytes(int got, int needed, string part)
    {
        if (got < needed)
        {
            throw Fail(CheckpointFailure.Truncated, $"checkpoint is truncated: the {part} needs {needed} bytes but only {got} remain");
        }
    }

    private static CheckpointException Fail(CheckpointFailure failure, string message) => new(failure, message);

    private static string Printable(ReadOnlySpan<byte> bytes)
    {
        var text = new StringBuilder(bytes.Length);
        foreach (byte b in bytes)
        {
            text.Append(b is >= 0x20 and < 0x7F ? (char)b : '?');
        }

        return text.ToString();
    }

    private static void EnsureLittleEndian()
    {
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("sampler checkpoints are read and written on little-endian machines only");
        }
    }
}
