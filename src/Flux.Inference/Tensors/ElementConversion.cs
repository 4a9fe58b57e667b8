using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using Flux.Core;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Flux.Inference.Tensors;

/// <summary>
/// Converts between the pipeline's float32 working buffers and a session's tensor element type
/// (fp32, fp16, bf16) at the boundary, on raw tensor bytes.
/// </summary>
public static class ElementConversion
{
    /// <summary>Whether a float tensor of this element type can be converted at the boundary.</summary>
    public static bool IsSupportedFloat(TensorElementType type) =>
        type is TensorElementType.Float or TensorElementType.Float16 or TensorElementType.BFloat16;

    /// <summary>Bytes per element of a supported float or integer type.</summary>
    public static int SizeOf(TensorElementType type) => type switch
    {
        TensorElementType.Float or TensorElementType.Int32 => 4,
        TensorElementType.Float16 or TensorElementType.BFloat16 => 2,
        TensorElementType.Int64 => 8,
        _ => throw new NotSupportedException($"tensor element type {type} is not supported"),
    };

    /// <summary>
    /// Writes <paramref name="source"/> into <paramref name="destination"/> bytes of element type <paramref name="type"/>;
    /// int64 and int32 take whole numbers only (position ids, which exporters declare as integers).
    /// </summary>
    public static void FromFloat(ReadOnlySpan<float> source, TensorElementType type, Span<byte> destination)
    {
        switch (type)
        {
            case TensorElementType.Float:
                source.CopyTo(MemoryMarshal.Cast<byte, float>(destination));
                break;
            case TensorElementType.Float16:
                TensorPrimitives.ConvertToHalf(source, MemoryMarshal.Cast<byte, Half>(destination));
                break;
            case TensorElementType.BFloat16:
                BFloat16Conversion.Narrow(source, MemoryMarshal.Cast<byte, ushort>(destination));
                break;
            case TensorElementType.Int64:
                TensorPrimitives.ConvertTruncating(RequireWholeNumbers(source), MemoryMarshal.Cast<byte, long>(destination));
                break;
            case TensorElementType.Int32:
                TensorPrimitives.ConvertTruncating(RequireWholeNumbers(source), MemoryMarshal.Cast<byte, int>(destination));
                break;
            default:
                throw new NotSupportedException($"tensor element type {type} is not a supported float or position type");
        }
    }

    /// <summary>Reads <paramref name="source"/> bytes of element type <paramref name="type"/> as float32.</summary>
    public static void ToFloat(ReadOnlySpan<byte> source, TensorElementType type, Span<float> destination)
    {
        switch (type)
        {
            case TensorElementType.Float:
                MemoryMarshal.Cast<byte, float>(source).CopyTo(destination);
                break;
            case TensorElementType.Float16:
                TensorPrimitives.ConvertToSingle(MemoryMarshal.Cast<byte, Half>(source), destination);
                break;
            case TensorElementType.BFloat16:
                BFloat16Conversion.Widen(MemoryMarshal.Cast<byte, ushort>(source), destination);
                break;
            default:
                throw new NotSupportedException($"tensor element type {type} is not a supported float type");
        }
    }

    /// <summary>Writes token ids as int64 or int32.</summary>
    public static void FromIds(ReadOnlySpan<long> ids, TensorElementType type, Span<byte> destination)
    {
        switch (type)
        {
            case TensorElementType.Int64:
                ids.CopyTo(MemoryMarshal.Cast<byte, long>(destination));
                break;
            case TensorElementType.Int32:
                TensorPrimitives.ConvertTruncating(ids, MemoryMarshal.Cast<byte, int>(destination));
                break;
            default:
                throw new NotSupportedException($"tensor element type {type} is not a supported id type");
        }
    }

    private static ReadOnlySpan<float> RequireWholeNumbers(ReadOnlySpan<float> source)
    {
        foreach (float value in source)
        {
            if (float.IsNaN(value) || MathF.Truncate(value) != value || Math.Abs(value) > int.MaxValue)
            {
                throw new ArgumentException($"value {value} cannot be written to an integer tensor: only whole numbers within the int32 range are (position ids)", nameof(source));
            }
        }

        return source;
    }
}
