using Flux.ModelBuilder.Tiny;

namespace Flux.Cli.Commands;

/// <summary>The transformer graph kind of `flux model create` and `flux model import` (--graph).</summary>
internal static class GraphOption
{
    public const string Description =
        "fused (default: ONNX Runtime's MultiHeadAttention, RotaryEmbedding, FastGelu and RMSNorm kernels, on the CPU and CUDA providers) or plain (standard ONNX operators only).";

    /// <summary>Throws <see cref="CliUsageException"/> naming the option and the allowed values.</summary>
    public static TransformerGraph Parse(string? graph) => graph switch
    {
        null or "fused" => TransformerGraph.Fused,
        "plain" => TransformerGraph.Plain,
        _ => throw new CliUsageException($"--graph '{graph}' is not a graph kind (allowed: fused, plain)"),
    };
}
