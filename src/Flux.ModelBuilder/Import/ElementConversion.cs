using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using Flux.Core;
using Flux.ModelBuilder.Import.SafeTensors;

namespace Flux.ModelBuilder.Import;

/// <summary>
/// Little-endian element conversions between a checkpoint's float types and fp32. Each is the plain per-element
/// formula in its doc comment; the loops are vectorized (TensorPrimitives for fp16, <see cref="BFloat16Conversion"/>
/// for bf16) because an import converts every weight of a 12B checkpoint once: scalar loops held the 2 GB import
/// bench to 0.2x of a plain copy (docs/benchmarks.md, "Import (issue 12)").
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
                BFloat16Conversion.Widen(MemoryMarshal.Cast<byte, ushort>(source)[..destination.Length], destination);
                break;
            default:
                throw new NotSupportedException($"dtype {dtype} is not converted to fp32");
        }
    }

    /// <summary>Narrows fp32 values to <paramref name="precision"/> (fp16: IEEE round to nearest even; bf16: <see cref="BFloat16Conversion.FromSingle"/>).</summary>
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
                BFloat16Conversion.Narrow(source, MemoryMarshal.Cast<byte, ushort>(destination)[..source.Length]);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(precision), precision, "not a weight precision");
        }
    }
}
