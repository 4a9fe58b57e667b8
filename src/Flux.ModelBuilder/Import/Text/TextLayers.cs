using Flux.ModelBuilder.Onnx;

namespace Flux.ModelBuilder.Import.Text;

/// <summary>Graph pieces the real text encoders need beyond <see cref="Layers"/>.</summary>
internal static class TextLayers
{
    /// <summary>
    /// Exact GELU, x * 0.5 * (1 + erf(x / sqrt 2)): transformers activations.py GELUActivation (ACT2FN "gelu",
    /// nn.functional.gelu without approximation).
    /// </summary>
    public static string GeluErf(this GraphBuilder g, string x)
    {
        var erf = g.Op("Erf", [g.Op("Mul", [x, g.Scalar((float)(1.0 / Math.Sqrt(2.0)))])]);
        return g.Op("Mul", [g.Op("Mul", [x, g.Scalar(0.5f)]), g.Op("Add", [erf, g.Scalar(1f)])]);
    }

    /// <summary>A rank-0 int64 constant (Range takes scalars; <see cref="GraphBuilder.Int64s"/> makes rank-1 ones).</summary>
    public static string ScalarInt64(this GraphBuilder g, long value) =>
        g.Int64Constant($"i64.scalar.{value}".Replace('-', 'm'), [value]);
}
