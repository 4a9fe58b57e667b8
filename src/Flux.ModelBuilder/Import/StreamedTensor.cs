using System.Buffers;
using System.Runtime.InteropServices;
using Flux.ModelBuilder.Import.SafeTensors;
using Flux.ModelBuilder.Onnx;
using Onnx;

namespace Flux.ModelBuilder.Import;

/// <summary>A slice of rows of one checkpoint tensor, resolved against the file that holds it.</summary>
internal sealed record TensorRows(CheckpointTensor Tensor, long FirstRow, long RowCount);

/// <summary>
/// A graph initializer written straight from memory-mapped checkpoint tensors: row slices concatenated
/// along axis 0, widened to fp32, LoRA updates added in fp32, then stored at the package precision.
/// Works through blocks of rows so memory stays bounded whatever the tensor size.
/// </summary>
internal sealed class StreamedTensor : ITensorData
{
    private const int BlockBytes = 1 << 20;

    private readonly IReadOnlyList<TensorRows> _parts;
    private readonly WeightPrecision _precision;
    private readonly IReadOnlyList<LowRankUpdate> _updates;
    private readonly long _rowWidth;

    public StreamedTensor(string name, IReadOnlyList<TensorRows> parts, long[] shape, WeightPrecision precision, IReadOnlyList<LowRankUpdate> updates)
    {
        Name = name;
        _parts = parts;
        _precision = precision;
        _updates = updates;
        Shape = shape;
        _rowWidth = shape.Skip(1).Aggregate(1L, (product, dim) => product * dim);
        ByteLength = shape.Aggregate(1L, (product, dim) => product * dim) * precision.ElementBytes();
    }

    public string Name { get; }

    public TensorProto.Types.DataType DataType => _precision.ToOnnx();

    public IReadOnlyList<long> Shape { get; }

    public long ByteLength { get; }

    /// <summary>Called after each block with the number of bytes just written (progress reporting).</summary>
    public Action<long>? Progress { get; init; }

    public void WriteTo(Stream destination)
    {
        // Buffers come from the shared pool: fresh 1-4 MB arrays per tensor cost a page fault for every 4 KB page first
        // touched, about a tenth of an int4 import's time (perf of the 2 GB import bench).
        var rowsPerBlock = (int)Math.Max(1, BlockBytes / Math.Max(1, _rowWidth * 4));
        var blockFloats = checked((int)(rowsPerBlock * _rowWidth));
        var floats = ArrayPool<float>.Shared.Rent(blockFloats);
        var input = ArrayPool<byte>.Shared.Rent(blockFloats * sizeof(float));   // the widest checkpoint element
        var output = ArrayPool<byte>.Shared.Rent(_precision == WeightPrecision.Fp32 ? 0 : blockFloats * _precision.ElementBytes());
        try
        {
            long outputRow = 0;
            foreach (var part in _parts)
            {
                WritePart(part, outputRow, rowsPerBlock, floats, input, output, destination);
                outputRow += part.RowCount;
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(floats);
            ArrayPool<byte>.Shared.Return(input);
            ArrayPool<byte>.Shared.Return(output);
        }
    }

    private void WritePart(TensorRows part, long outputRow, int rowsPerBlock, float[] floats, byte[] input, byte[] output, Stream destination)
    {
        var dtype = part.Tensor.Info.DType;
        var inBytes = SafeTensorsDType.SizeOf(dtype)!.Value;
        // Stored as the package precision with nothing to add: the bytes are the answer (widening and narrowing back is exact anyway).
        var passThrough = _updates.Count == 0 && ElementConversion.IsStoredAs(dtype, _precision);
        using var stream = part.Tensor.File.OpenRead(part.Tensor.Info);
        stream.Seek(part.FirstRow * _rowWidth * inBytes, SeekOrigin.Begin);
        for (long done = 0; done < part.RowCount; done += rowsPerBlock)
        {
            var rows = (int)Math.Min(rowsPerBlock, part.RowCount - done);
            var count = (int)(rows * _rowWidth);
            stream.ReadExactly(input, 0, count * inBytes);
            if (passThrough)
            {
                destination.Write(input, 0, count * inBytes);
                Progress?.Invoke(count * inBytes);
                continue;
            }

            var block = floats.AsSpan(0, count);
            ElementConversion.ToFloat(dtype, input.AsSpan(0, count * inBytes), block);
            foreach (var update in _updates)
            {
                update.AddTo(block, outputRow + done);
            }

            if (_precision == WeightPrecision.Fp16 && FirstBeyondHalf(block) is { } index)
            {
                throw new ImportException(
                    $"{part.Tensor.File.Path}: weight '{Name}' holds {block[index]}, beyond fp16's range (+-65504); import with --precision bf16 or fp32");
            }

            // fp32 (and every int4 weight, which is read as fp32) is written from the block itself: narrowing to fp32 is a copy.
            var outBytes = count * _precision.ElementBytes();
            if (_precision == WeightPrecision.Fp32)
            {
                destination.Write(MemoryMarshal.AsBytes(block));
            }
            else
            {
                ElementConversion.FromFloat(block, _precision, output.AsSpan(0, outBytes));
                destination.Write(output, 0, outBytes);
            }

            Progress?.Invoke(outBytes);
        }
    }

    private static int? FirstBeyondHalf(ReadOnlySpan<float> values)
    {
        for (var i = 0; i < values.Length; i++)
        {
            if (float.IsFinite(values[i]) && Math.Abs(values[i]) > (float)Half.MaxValue)
            {
                return i;
            }
        }

        return null;
    }
}
