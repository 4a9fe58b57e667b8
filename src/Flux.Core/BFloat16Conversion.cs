using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Flux.Core;

/// <summary>
/// bfloat16 &lt;-&gt; float32 on bit patterns: a bf16 is the upper half of an fp32. One definition for the pipeline's
/// session boundary (Flux.Inference) and the importer (Flux.ModelBuilder). The span loops are vectorized because an
/// import converts every weight of a 12B checkpoint once: scalar loops held the 2 GB import bench to 0.2x of a plain
/// copy (docs/benchmarks.md, "Import (issue 12)").
/// </summary>
public static class BFloat16Conversion
{
    private const int Shift = 16;
    private const uint RoundingBias = 0x7FFF;
    private const uint QuietNaNBit = 0x0040;

    /// <summary>fp32 to bf16 bits, round to nearest even; NaN stays NaN (quiet bit set).</summary>
    public static ushort FromSingle(float value)
    {
        var bits = BitConverter.SingleToUInt32Bits(value);
        if (float.IsNaN(value))
        {
            return (ushort)((bits >> Shift) | QuietNaNBit);
        }

        var lsb = (bits >> Shift) & 1;
        return (ushort)((bits + RoundingBias + lsb) >> Shift);
    }

    /// <summary>destination[i] = <see cref="FromSingle"/>(source[i]), eight lanes at a time.</summary>
    public static void Narrow(ReadOnlySpan<float> source, Span<ushort> destination)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(destination.Length, source.Length);
        var bits = MemoryMarshal.Cast<float, uint>(source);
        var i = 0;
        if (Vector128.IsHardwareAccelerated)
        {
            for (; i <= bits.Length - 2 * Vector128<uint>.Count; i += 2 * Vector128<uint>.Count)
            {
                var lower = Round(Vector128.Create(bits.Slice(i, Vector128<uint>.Count)));
                var upper = Round(Vector128.Create(bits.Slice(i + Vector128<uint>.Count, Vector128<uint>.Count)));
                Vector128.Narrow(lower, upper).CopyTo(destination[i..]);
            }
        }

        for (; i < source.Length; i++)
        {
            destination[i] = FromSingle(source[i]);
        }
    }

    /// <summary>bf16 bits to fp32, exact: destination[i] bits = source[i] &lt;&lt; 16.</summary>
    public static void Widen(ReadOnlySpan<ushort> source, Span<float> destination)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(destination.Length, source.Length);
        var bits = MemoryMarshal.Cast<float, uint>(destination);
        var i = 0;
        if (Vector128.IsHardwareAccelerated)
        {
            for (; i <= source.Length - Vector128<ushort>.Count; i += Vector128<ushort>.Count)
            {
                var (lower, upper) = Vector128.Widen(Vector128.Create(source.Slice(i, Vector128<ushort>.Count)));
                Vector128.ShiftLeft(lower, Shift).CopyTo(bits[i..]);
                Vector128.ShiftLeft(upper, Shift).CopyTo(bits[(i + Vector128<uint>.Count)..]);
            }
        }

        for (; i < source.Length; i++)
        {
            bits[i] = (uint)source[i] << Shift;
        }
    }

    /// <summary>The upper 16 bits of <see cref="FromSingle"/> per lane, as uints.</summary>
    private static Vector128<uint> Round(Vector128<uint> bits)
    {
        var rounded = Vector128.ShiftRightLogical(bits + Vector128.Create(RoundingBias) + (Vector128.ShiftRightLogical(bits, Shift) & Vector128<uint>.One), Shift);
        var asFloat = bits.AsSingle();
        var nan = ~Vector128.Equals(asFloat, asFloat).AsUInt32();
        var quietNan = Vector128.ShiftRightLogical(bits, Shift) | Vector128.Create(QuietNaNBit);
        return Vector128.ConditionalSelect(nan, quietNan, rounded);
    }
}
