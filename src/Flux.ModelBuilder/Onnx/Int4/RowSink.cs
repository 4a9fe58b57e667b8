using System.Runtime.InteropServices;

namespace Flux.ModelBuilder.Onnx.Int4;

/// <summary>
/// A write-only stream that cuts the little-endian fp32 bytes an <see cref="ITensorData"/> writes into rows of
/// <c>rowLength</c> floats and hands each complete row to <c>onRow</c>, so a tensor can be transformed row by row
/// while it streams (whatever block sizes its writer uses). Rows that lie whole in a written buffer are handed over
/// where they lie; only rows cut by the writer's block boundaries are copied together first. The span is valid
/// during the call only.
/// </summary>
internal sealed class RowSink(int rowLength, Action<ReadOnlySpan<float>> onRow) : Stream
{
    private readonly float[] _row = new float[rowLength];
    private int _filledBytes;

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    /// <summary>Throws when the writer stopped inside a row (its byte count is not a whole number of rows).</summary>
    public void EnsureComplete()
    {
        if (_filledBytes != 0)
        {
            throw new InvalidOperationException($"the tensor ended {_filledBytes} bytes into a row of {rowLength} floats");
        }
    }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        var rowBytes = MemoryMarshal.AsBytes(_row.AsSpan());
        while (!buffer.IsEmpty)
        {
            if (_filledBytes == 0 && buffer.Length >= rowBytes.Length)
            {
                // The import writes 1 MB blocks of whole rows: copying each into _row first cost a memcpy of every weight.
                onRow(MemoryMarshal.Cast<byte, float>(buffer[..rowBytes.Length]));   // x64 and arm64 read unaligned floats
                buffer = buffer[rowBytes.Length..];
                continue;
            }

            var count = Math.Min(buffer.Length, rowBytes.Length - _filledBytes);
            buffer[..count].CopyTo(rowBytes[_filledBytes..]);
            _filledBytes += count;
            buffer = buffer[count..];
            if (_filledBytes == rowBytes.Length)
            {
                onRow(_row);
                _filledBytes = 0;
            }
        }
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Flush()
    {
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}
