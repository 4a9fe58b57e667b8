namespace Flux.ModelBuilder.Tests.Import.Text;

/// <summary>
/// PyTorch primitives the text-encoder references are written with, each restated from its PyTorch/transformers
/// definition on plain row-major arrays (double accumulation): no graph code is involved.
/// </summary>
internal static class ReferenceMath
{
    /// <summary>nn.Linear: y[r, o] = sum_i x[r, i] W[o, i] + b[o], W of shape (out, in).</summary>
    public static float[] Linear(float[] x, int rows, int inFeatures, float[] weight, float[]? bias, int outFeatures)
    {
        var y = new float[rows * outFeatures];
        for (var r = 0; r < rows; r++)
        {
            for (var o = 0; o < outFeatures; o++)
            {
                double sum = bias?[o] ?? 0.0;
                for (var i = 0; i < inFeatures; i++)
                {
                    sum += (double)x[r * inFeatures + i] * weight[o * inFeatures + i];
                }

                y[r * outFeatures + o] = (float)sum;
            }
        }

        return y;
    }

    /// <summary>nn.LayerNorm over the last axis: (x - mean) / sqrt(biased var + eps) * weight + bias.</summary>
    public static float[] LayerNorm(float[] x, int rows, int width, float[] weight, float[] bias, float eps)
    {
        var y = new float[x.Length];
        for (var r = 0; r < rows; r++)
        {
            double mean = 0, variance = 0;
            for (var i = 0; i < width; i++)
            {
                mean += x[r * width + i];
            }

            mean /= width;
            for (var i = 0; i < width; i++)
            {
                var centred = x[r * width + i] - mean;
                variance += centred * centred;
            }

            variance /= width;
            for (var i = 0; i < width; i++)
            {
                y[r * width + i] = (float)((x[r * width + i] - mean) / Math.Sqrt(variance + eps) * weight[i] + bias[i]);
            }
        }

        return y;
    }

    /// <summary>Softmax of <paramref name="scores"/> in place (nn.functional.softmax, dim=-1).</summary>
    public static void Softmax(double[] scores)
    {
        var max = scores.Max();
        double total = 0;
        for (var j = 0; j < scores.Length; j++)
        {
            scores[j] = Math.Exp(scores[j] - max);
            total += scores[j];
        }

        for (var j = 0; j < scores.Length; j++)
        {
            scores[j] /= total;
        }
    }

    public static float[] Add(float[] a, float[] b) => a.Zip(b, (x, y) => x + y).ToArray();

    /// <summary>
    /// erf by Abramowitz and Stegun 7.1.26 (absolute error below 1.5e-7, far inside the tests' tolerance);
    /// .NET has no erf, and GELUActivation is 0.5 x (1 + erf(x / sqrt 2)).
    /// </summary>
    public static double Erf(double x)
    {
        double sign = Math.Sign(x), a = Math.Abs(x);
        double t = 1.0 / (1.0 + 0.3275911 * a);
        double poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
        return sign * (1.0 - poly * Math.Exp(-a * a));
    }

    /// <summary>transformers activations.py GELUActivation (nn.functional.gelu, exact).</summary>
    public static double Gelu(double x) => 0.5 * x * (1.0 + Erf(x / Math.Sqrt(2.0)));

    /// <summary>transformers activations.py NewGELUActivation: 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))).</summary>
    public static double GeluNew(double x) => 0.5 * x * (1.0 + Math.Tanh(Math.Sqrt(2.0 / Math.PI) * (x + 0.044715 * Math.Pow(x, 3.0))));

    /// <summary>transformers activations.py QuickGELUActivation: x * sigmoid(1.702 x).</summary>
    public static double QuickGelu(double x) => x / (1.0 + Math.Exp(-1.702 * x));

    /// <summary>
    /// Asserts <paramref name="actual"/> equals <paramref name="expected"/> within <paramref name="relative"/> of each
    /// value's magnitude, floored at the tensor's mean magnitude: fp32 rounding (amplified by T5's unscaled softmax)
    /// is relative to the values being summed, so a value that cancels to near zero is held to the typical scale.
    /// </summary>
    public static void AssertClose(float[] expected, float[] actual, double relative, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        double floor = expected.Average(v => Math.Abs((double)v));
        for (var i = 0; i < expected.Length; i++)
        {
            var allowed = relative * Math.Max(Math.Abs(expected[i]), floor);
            Assert.True(Math.Abs(actual[i] - expected[i]) <= allowed, $"{what}[{i}]: expected {expected[i]}, got {actual[i]} (allowed difference {allowed:E2})");
        }
    }
}
