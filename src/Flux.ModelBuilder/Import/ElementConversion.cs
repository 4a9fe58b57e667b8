using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Flux.ModelBuilder.Import.SafeTensors;

namespace Flux.ModelBuilder.Import;

/// <summary>
/// Little-endian element conversions between a checkpoint's float types and fp32. Each is the plain per-element
/// formula in its doc comment; the loops are vectorized (TensorPrimitives for fp16, Vector128 for bf16) because an
/// import converts every weight of a 12B checkpoint once: scalar loops held the 2 GB import bench to 0.2x of a plain
/// copy (docs/benchmarks.md, "Import (issue 12)").
/// </summary>
internal static class ElementConversion
{
    /// <summary>True for the checkpoint dtypes the importer reads (FLUX.1 and its encoders ship as F32, F16 or BF16).</summary>
    public static bool IsReadable(string dtype) => dtype is SafeTensorsDType.F32 or SafeTensorsDType.F16 or SafeTensorsDType.BF16;

    /// <summary>True when <paramref name="dtype"/> elements are stored as <paramref name="precision"/> already, so bytes pass through unchanged.</summary>
    public static bool IsStoredAs(string dtype, WeightPrecision precision) => (dtype, precision) switch
    {
        (SafeTensorsDType.F32, WeightPrecision.Fp32) or (SafeTensorsDType.F16, WeightPrecision.Fp16) or (SafeTensorsDType.BF16, WeightPrecision.Bf16) => BitConverter.IsLittleEndian,
        _ => false,
    };

    /// <summary>Widens <paramref name="source"/> elements of <paramref name="dtype"/> to fp32; every F16 and BF16 value is exact in fp32 (bf16: bits &lt;&lt; 16).</summary>
    public static void ToFloat(string dtype, ReadOnlySpan<byte> source, Span<float> destination)
    {
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("safetensors files are little-endian; this importer runs on little-endian machines only");
        }

        switch (dtype)
        {
            case SafeTensorsDType.F32:
                MemoryMarshal.Cast<byte, float>(source)[..destination.Length].CopyTo(destination);
                break;
            case SafeTensorsDType.F16:
                TensorPrimitives.ConvertToSingle(MemoryMarshal.Cast<byte, Half>(source)[..destination.Length], destination);
                break;
            case SafeTensorsDType.BF16:
                WidenBFloat16(MemoryMarshal.Cast<byte, ushort>(source)[..destination.Length], MemoryMarshal.Cast<float, uint>(destination));
                break;
            default:
                throw new NotSupportedException($"dtype {dtype} is not converted to fp32");
        }
    }

    /// <summary>Narrows fp32 values to <paramref name="precision"/> (fp16: IEEE round to nearest even; bf16: <see cref="ToBFloat16"/>).</summary>
    public static void FromFloat(ReadOnlySpan<float> source, WeightPrecision precision, Span<byte> destination)
    {
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("ONNX raw data is little-endian; this importer runs on little-endian machines only");
        }

        switch (precision)
        {
            case WeightPrecision.Fp32:
                MemoryMarshal.AsBytes(source).CopyTo(destination);
                break;
            case WeightPrecision.Fp16:
                TensorPrimitives.ConvertToHalf(source, MemoryMarshal.Cast<byte, Half>(destination)[..source.Length]);
                break;
            case WeightPrecision.Bf16:
                NarrowToBFloat16(MemoryMarshal.Cast<float, uint>(source), MemoryMarshal.Cast<byte, ushort>(destination)[..source.Length]);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(precision), precision, "not a weight precision");
        }
    }

    /// <summary>fp32 to bf16, round to nearest even; NaN stays NaN (quiet bit set).</summary>
    public static ushort ToBFloat16(float value)
    {
        var bits = BitConverter.SingleToUInt32Bits(value);
        if (float.IsNaN(value))
        {
            return (ushort)((bits >> 16) | 0x40);
        }

        var roundingBias = 0x7FFFu + ((bits >> 16) & 1);
        return (ushort)((bits + roundingBias) >> 16);
    }

    /// <summary>destination[i] = source[i] &lt;&lt; 16 (a bf16 is the upper half of an fp32 bit pattern).</summary>
    private static void WidenBFloat16(ReadOnlySpan<ushort> source, Span<uint> destination)
    {
        var i = 0;
        if (Vector128.IsHardwareAccelerated)
        {
            for (; i <= source.Length - Vector128<ushort>.Count; i += Vector128<ushort>.Count)
            {
                var (lower, upper) = Vector128.Widen(Vector128.Create(source.Slice(i, Vector128<ushort>.Count)));
                Vector128.ShiftLeft(lower, 16).CopyTo(destination[i..]);
                Vector128.ShiftLeft(upper, 16).CopyTo(destination[(i + Vector128<uint>.Count)..]);
            }
        }

        for (; i < source.Length; i++)
        {
            destination[i] = (uint)source[i] << 16;
        }
    }

    /// <summary>destination[i] = <see cref="ToBFloat16"/>(source[i]), eight lanes at a time.</summary>
    private static void NarrowToBFloat16(ReadOnlySpan<uint> source, Span<ushort> destination)
    {
        var i = 0;
        if (Vector128.IsHardwareAccelerated)
        {
            for (; i <= source.Length - 2 * Vector128<uint>.Count; i += 2 * Vector128<uint>.Count)
            {
                var lower = RoundToBFloat16(Vector128.Create(source.Slice(i, Vector128<uint>.Count)));
                var upper = RoundToBFloat16(Vector128.Create(source.Slice(i + Vector128<uint>.Count, Vector128<uint>.Count)));
                Vector128.Narrow(lower, upper).CopyTo(destination[i..]);
            }
        }

        for (; i < source.Length; i++)
        {
            destination[i] = ToBFloat16(BitConverter.UInt32BitsToSingle(source[i]));
        }
    }

    /// <summary>The upper 16 bits of <see cref="ToBFloat16"/> per lane, as uints.</summary>
    private static Vector128<uint> RoundToBFloat16(Vector128<uint> bits)
    {
        var rounded = Vector128.ShiftRightLogical(bits + Vector128.Create(0x7FFFu) + (Vector128.ShiftRightLogical(bits, 16) & Vector128<uint>.One), 16);
        var asFloat = bits.AsSingle();
        var nan = ~Vector128.Equals(asFloat, asFloat).AsUInt32();
        var quietNan = Vector128.ShiftRightLogical(bits, 16) | Vector128.Create(0x40u);
        return Vector128.ConditionalSelect(nan, quietNan, rounded);
    }
}
