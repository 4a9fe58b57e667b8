using System.Buffers;
using System.Runtime.InteropServices;
using Onnx;

namespace Flux.ModelBuilder.Onnx.Int4;

/// <summary>
/// A PyTorch Linear weight W (N = out, K = in; fp32 rows from any <see cref="ITensorData"/>, e.g. a streamed checkpoint
/// tensor with LoRA merged) as MatMulNBits' three initializers. Rows are quantized as they stream past, so memory holds
/// one row and the per-block scales and zero points (1/32 of the fp32 weight or less), never the weight.
/// Writing <see cref="Blocks"/> keeps the scales and zero points until <see cref="Scales"/> and <see cref="ZeroPoints"/>
/// are written (the graph writes them next); written alone, either makes its own pass over the source.
/// </summary>
internal sealed class QuantizedLinear
{
    private readonly ITensorData _weight;
    private float[]? _scales;
    private byte[]? _zeroPoints;

    public QuantizedLinear(ITensorData weight, int blockSize)
    {
        ArgumentNullException.ThrowIfNull(weight);
        if (weight.DataType != TensorProto.Types.DataType.Float || weight.Shape.Count != 2)
        {
            throw new ArgumentException($"int4 quantization needs a 2-D fp32 Linear weight, not {weight.DataType} [{string.Join(", ", weight.Shape)}]", nameof(weight));
        }

        _weight = weight;
        Layout = new Int4Layout(weight.Shape[1], weight.Shape[0], blockSize);
        Blocks = new View(TensorProto.Types.DataType.Uint8, [Layout.N, Layout.BlocksPerRow, Layout.BlobBytes], Pass);
        Scales = new View(TensorProto.Types.DataType.Float, [Layout.N * Layout.BlocksPerRow], WriteScales);
        ZeroPoints = new View(TensorProto.Types.DataType.Uint8, [Layout.N * Layout.ZeroPointBytesPerRow], WriteZeroPoints);
    }

    public Int4Layout Layout { get; }

    /// <summary>B: uint8 (N, blocks, blockSize/2).</summary>
    public ITensorData Blocks { get; }

    /// <summary>scales: float (N·blocks), row-major by output row then block.</summary>
    public ITensorData Scales { get; }

    /// <summary>zero_points: uint8 (N·ceil(blocks/2)), each row's zero points packed two to a byte, low nibble first.</summary>
    public ITensorData ZeroPoints { get; }

    /// <summary>
    /// One pass over the weight's rows: quantizes each, writes its packed blocks, keeps its scales and zero points.
    /// Packed rows are written about 1 MB at a time (one write per row, 0.5 to 8 KB, went to the file stream's 4 KB
    /// buffer and cost a system call every few rows) from a pooled buffer, like StreamedTensor's (fresh pages fault).
    /// </summary>
    private void Pass(Stream? writeBlocksTo)
    {
        const int WriteBytes = 1 << 20;
        var rowBytes = checked((int)Layout.PackedBytesPerRow);
        var rowsPerWrite = writeBlocksTo is null ? 1 : (int)Math.Clamp(WriteBytes / rowBytes, 1, Layout.N);
        var packed = ArrayPool<byte>.Shared.Rent(rowsPerWrite * rowBytes);
        try
        {
            Pass(writeBlocksTo, packed, rowsPerWrite);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(packed);
        }
    }

    private void Pass(Stream? writeBlocksTo, byte[] packed, int rowsPerWrite)
    {
        var layout = Layout;
        var rowBytes = (int)layout.PackedBytesPerRow;
        var scales = new float[layout.N * layout.BlocksPerRow];
        var zeroPoints = new byte[layout.N * layout.ZeroPointBytesPerRow];
        var pending = 0;
        long row = 0;
        using (var rows = new RowSink(checked((int)layout.K), values =>
        {
            if (row >= layout.N)
            {
                throw new InvalidOperationException($"the weight source wrote more than its {layout.N} rows of {layout.K}");
            }

            BlockQuantizer.QuantizeRow(values, layout.BlockSize, packed.AsSpan(pending * rowBytes, rowBytes),
                scales.AsSpan((int)(row * layout.BlocksPerRow), (int)layout.BlocksPerRow),
                zeroPoints.AsSpan((int)(row * layout.ZeroPointBytesPerRow), (int)layout.ZeroPointBytesPerRow));
            row++;
            if (++pending == rowsPerWrite)
            {
                writeBlocksTo?.Write(packed, 0, rowsPerWrite * rowBytes);
                pending = 0;
            }
        }))
        {
            _weight.WriteTo(rows);
            rows.EnsureComplete();
        }

        if (row != layout.N)
        {
            throw new InvalidOperationException($"the weight source wrote {row} rows, not its {layout.N} rows of {layout.K}");
        }

        writeBlocksTo?.Write(packed, 0, pending * rowBytes);
        _scales = scales;
        _zeroPoints = zeroPoints;
    }

    private void WriteScales(Stream destination)
    {
        if (_scales is null)
        {
            Pass(null);
        }

        destination.Write(MemoryMarshal.AsBytes(_scales.AsSpan()));
        _scales = null;   // repeatable: a second write makes a new pass
    }

    private void WriteZeroPoints(Stream destination)
    {
        if (_zeroPoints is null)
        {
            Pass(null);
        }

        destination.Write(_zeroPoints);
        _zeroPoints = null;
    }

    private sealed class View(TensorProto.Types.DataType type, long[] shape, Action<Stream> write) : ITensorData
    {
        public TensorProto.Types.DataType DataType => type;

        public IReadOnlyList<long> Shape => shape;

        public long ByteLength => shape.Aggregate(1L, (p, d) => p * d) * (type == TensorProto.Types.DataType.Float ? 4 : 1);

        public void WriteTo(Stream destination) => write(destination);
    }
}
