using System.Globalization;
using Flux.ModelBuilder.Onnx.Int4;

namespace Flux.Cli.Commands;

/// <summary>`--quantize none|int4` with `--block-size 32|64|128`, as `flux model create tiny` and `flux model import` read them.</summary>
internal static class QuantizeOption
{
    /// <summary>Null for none; throws <see cref="CliUsageException"/> naming the option and the allowed values.</summary>
    public static Int4Quantization? Parse(string? quantize, string? blockSize)
    {
        if (quantize is null or "none")
        {
            return blockSize is null ? null : throw new CliUsageException($"--block-size applies to --quantize int4 only (--quantize is {quantize ?? "none"})");
        }

        if (quantize != "int4")
        {
            throw new CliUsageException($"--quantize '{quantize}' is not a quantization (allowed: none, int4)");
        }

        var size = blockSize switch
        {
            null => Int4Quantization.DefaultBlockSize,
            "32" or "64" or "128" => int.Parse(blockSize, CultureInfo.InvariantCulture),
            _ => throw new CliUsageException($"--block-size '{blockSize}' is not an int4 block size (allowed: 32, 64, 128)"),
        };
        return new Int4Quantization { BlockSize = size };
    }
}
