using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Flux.Inference.Tensors;

/// <summary>
/// A preallocated CPU tensor of a session's element type, owned here and bound by name. The pipeline
/// writes and reads it as float32 (or ids); conversion to fp16/bf16 happens in place.
/// </summary>
public sealed class TensorBuffer : IDisposable
{
    private TensorBuffer(OrtValue value, TensorElementType elementType, long[] shape)
    {
        Value = value;
        ElementType = elementType;
        Shape = shape;
        ElementCount = shape.Aggregate(1L, (a, d) => a * d);
    }

    public OrtValue Value { get; }

    public TensorElementType ElementType { get; }

    public IReadOnlyList<long> Shape { get; }

    public long ElementCount { get; }

    public static TensorBuffer Allocate(TensorElementType elementType, params long[] shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        _ = ElementConversion.SizeOf(elementType);
        var value = OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, elementType, shape);
        return new TensorBuffer(value, elementType, (long[])shape.Clone());
    }

    /// <summary>Copies float32 values in, converting to the tensor's element type.</summary>
    public void Write(ReadOnlySpan<float> values)
    {
        CheckLength(values.Length);
        ElementConversion.FromFloat(values, ElementType, Value.GetTensorMutableRawData());
    }

    /// <summary>Fills every element with one value (timestep, guidance), without allocating.</summary>
    public void Fill(float value)
    {
        Span<float> one = [value];
        var raw = Value.GetTensorMutableRawData();
        int size = ElementConversion.SizeOf(ElementType);
        ElementConversion.FromFloat(one, ElementType, raw[..size]);
        for (int offset = size; offset < raw.Length; offset += size)
        {
            raw[..size].CopyTo(raw.Slice(offset, size));
        }
    }

    /// <summary>Copies token ids in (int64 or int32 tensors).</summary>
    public void WriteIds(ReadOnlySpan<long> ids)
    {
        CheckLength(ids.Length);
        ElementConversion.FromIds(ids, ElementType, Value.GetTensorMutableRawData());
    }

    /// <summary>Copies the tensor out as float32.</summary>
    public void Read(Span<float> destination)
    {
        CheckLength(destination.Length);
        ElementConversion.ToFloat(Value.GetTensorMutableRawData(), ElementType, destination);
    }

    public void Dispose() => Value.Dispose();

    private void CheckLength(int length)
    {
        if (length != ElementCount)
        {
            throw new ArgumentException($"buffer holds {length} values but the tensor ({string.Join(", ", Shape)}) has {ElementCount}");
        }
    }
}
