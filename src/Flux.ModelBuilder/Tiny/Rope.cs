using Flux.ModelBuilder.Onnx;

namespace Flux.ModelBuilder.Tiny;

/// <summary>
/// FLUX's 3-axis rotary embedding (EmbedND + rope + apply_rope in BFL's layers.py/math.py): axis i of
/// the position ids rotates axes_dim[i]/2 adjacent pairs of each head by ids[i] * theta^(-2j/axes_dim[i]).
/// </summary>
internal static class Rope
{
    /// <summary>The angles of every pair, cos and sin, each (S, D/2), from ids (S, 3).</summary>
    public static (string Cos, string Sin) Angles(GraphBuilder g, string ids, int[] axesDim)
    {
        var frequencies = AxisFrequencies(axesDim); // (3, D/2): row i holds axis i's omegas in its columns
        var angles = g.Op("MatMul", [ids, g.Constant("rope_frequencies", frequencies, axesDim.Length, axesDim.Sum() / 2)]); // (S, D/2)
        return (g.Op("Cos", [angles]), g.Op("Sin", [angles]));
    }

    /// <summary>Rotates adjacent pairs (x0, x1) -> (cos x0 - sin x1, sin x0 + cos x1) on (B, H, S, D); angles (S, D/2, 1).</summary>
    public static string Apply(GraphBuilder g, string x, (string Cos, string Sin) angles, long headDim)
    {
        var pairs = g.Op("Reshape", [x, g.Int64s(0, 0, 0, headDim / 2, 2)]); // (B, H, S, D/2, 2)
        var parts = g.SplitWidths(pairs, 1, 1); // (B, H, S, D/2, 1) x2
        var first = g.Op("Sub", [g.Op("Mul", [angles.Cos, parts[0]]), g.Op("Mul", [angles.Sin, parts[1]])]);
        var second = g.Op("Add", [g.Op("Mul", [angles.Sin, parts[0]]), g.Op("Mul", [angles.Cos, parts[1]])]);
        var rotated = g.Op("Concat", [first, second], Attr.Int("axis", -1)); // (B, H, S, D/2, 2)
        return g.Op("Reshape", [rotated, g.Int64s(0, 0, 0, headDim)]); // (B, H, S, D)
    }

    /// <summary>omega_j = theta^(-2j/d) for each axis of width d, laid out block-diagonally as (axes, D/2).</summary>
    public static float[] AxisFrequencies(int[] axesDim)
    {
        var pairs = axesDim.Sum() / 2;
        var matrix = new float[axesDim.Length * pairs];
        var column = 0;
        for (var axis = 0; axis < axesDim.Length; axis++)
        {
            var width = axesDim[axis];
            for (var j = 0; j < width / 2; j++, column++)
            {
                matrix[axis * pairs + column] = (float)Math.Pow(TinyFluxOptions.RopeTheta, -2.0 * j / width);
            }
        }

        return matrix;
    }
}
