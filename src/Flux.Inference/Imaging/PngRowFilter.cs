using System.Numerics.Tensors;

namespace Flux.Inference.Imaging;

/// <summary>PNG filter types (PNG specification, section 9.2), the ones this encoder writes.</summary>
internal enum PngFilterType : byte
{
    None = 0,
    Sub = 1,
    Up = 2,
}

/// <summary>Per-row PNG filtering on bytes with TensorPrimitives; byte subtraction wraps modulo 256 as the spec requires.</summary>
internal static class PngRowFilter
{
    private const int BytesPerPixel = 3;

    /// <summary>Filters (H, 3W) pixel rows into (H, 1 + 3W) scanlines, each starting with its filter type byte.</summary>
    public static void ApplyAll(ReadOnlySpan<byte> rgb, int stride, PngFilterType filter, Span<byte> scanlines)
    {
        int rows = rgb.Length / stride;
        for (int y = 0; y < rows; y++)
        {
            var row = rgb.Slice(y * stride, stride);
            var previous = y == 0 ? ReadOnlySpan<byte>.Empty : rgb.Slice((y - 1) * stride, stride);
            var scanline = scanlines.Slice(y * (stride + 1), stride + 1);
            scanline[0] = (byte)filter;
            Apply(filter, row, previous, scanline[1..]);
        }
    }

    /// <summary>One row: None x, Sub x - a (the byte one pixel left), Up x - b (the byte above; zero above row 0).</summary>
    public static void Apply(PngFilterType filter, ReadOnlySpan<byte> row, ReadOnlySpan<byte> previous, Span<byte> destination)
    {
        switch (filter)
        {
            case PngFilterType.None:
                row.CopyTo(destination);
                break;
            case PngFilterType.Sub:
                row[..BytesPerPixel].CopyTo(destination);
                TensorPrimitives.Subtract(row[BytesPerPixel..], row[..^BytesPerPixel], destination[BytesPerPixel..]);
                break;
            case PngFilterType.Up when previous.IsEmpty:
                row.CopyTo(destination);
                break;
            case PngFilterType.Up:
                TensorPrimitives.Subtract(row, previous, destination);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(filter), filter, "the encoder writes filter types None, Sub and Up");
        }
    }
}
