using System.Buffers.Binary;
using Flux.ModelBuilder.Import.SafeTensors;

namespace Flux.ModelBuilder.Import;

/// <summary>Little-endian element conversions between a checkpoint's float types and fp32.</summary>
internal static class ElementConversion
{
    /// <summary>True for the checkpoint dtypes the importer reads (FLUX.1 and its encoders ship as F32, F16 or BF16).</summary>
    public static bool IsReadable(string dtype) => dtype is SafeTensorsDType.F32 or SafeTensorsDType.F16 or SafeTensorsDType.BF16;

    /// <summary>Widens <paramref name="source"/> elements of <paramref name="dtype"/> to fp32; every F16 and BF16 value is exact in fp32.</summary>
    public static void ToFloat(string dtype, ReadOnlySpan<byte> source, Span<float> destination)
    {
        switch (dtype)
        {
            case SafeTensorsDType.F32:
                for (var i = 0; i < destination.Length; i++)
                {
                    destination[i] = BinaryPrimitives.ReadSingleLittleEndian(source[(4 * i)..]);
                }

                break;
            case SafeTensorsDType.F16:
                for (var i = 0; i < destination.Length; i++)
                {
                    destination[i] = (float)BinaryPrimitives.ReadHalfLittleEndian(source[(2 * i)..]);
                }

                break;
            case SafeTensorsDType.BF16:
                // bf16 is the upper half of an fp32 bit pattern.
                for (var i = 0; i < destination.Length; i++)
                {
                    destination[i] = BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(source[(2 * i)..]) << 16);
                }

                break;
            default:
                throw new NotSupportedException($"dtype {dtype} is not converted to fp32");
        }
    }

    /// <summary>Narrows fp32 values to <paramref name="precision"/> (fp16: IEEE round to nearest even; bf16: round to nearest even, NaN kept NaN).</summary>
    public static void FromFloat(ReadOnlySpan<float> source, WeightPrecision precision, Span<byte> destination)
    {
        switch (precision)
        {
            case WeightPrecision.Fp32:
                for (var i = 0; i < source.Length; i++)
                {
                    BinaryPrimitives.WriteSingleLittleEndian(destination[(4 * i)..], source[i]);
                }

                break;
            case WeightPrecision.Fp16:
                for (var i = 0; i < source.Length; i++)
                {
                    BinaryPrimitives.WriteHalfLittleEndian(destination[(2 * i)..], (Half)source[i]);
                }

                break;
            case WeightPrecision.Bf16:
                for (var i = 0; i < source.Length; i++)
                {
                    BinaryPrimitives.WriteUInt16LittleEndian(destination[(2 * i)..], ToBFloat16(source[i]));
                }

                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(precision), precision, "not a weight precision");
        }
    }

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
}
