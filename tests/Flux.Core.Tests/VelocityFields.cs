using Flux.Core;

namespace Flux.Core.Tests;

/// <summary>v(x, t) = c: straight paths x(t) = x(1) - (1 - t) c.</summary>
internal sealed class ConstantField(float[] c) : IVelocityModel
{
    public void Evaluate(ReadOnlySpan<float> x, float t, Span<float> velocity) => c.CopyTo(velocity);
}

/// <summary>
/// The exact rectified-flow field of a single data point x0: v(x, t) = (x - x0) / t. Paths are straight
/// lines to x0 and the field is singular at t = 0 (it throws there, so a sampler that evaluates at 0 fails).
/// </summary>
internal sealed class SinglePointField(float[] x0) : IVelocityModel
{
    public List<float> EvaluatedTimes { get; } = [];

    public void Evaluate(ReadOnlySpan<float> x, float t, Span<float> velocity)
    {
        if (t <= 0)
        {
            throw new InvalidOperationException("the single-point field is singular at t = 0");
        }

        EvaluatedTimes.Add(t);
        for (int i = 0; i < x.Length; i++)
        {
            velocity[i] = (x[i] - x0[i]) / t;
        }
    }
}

/// <summary>
/// The marginal rectified-flow field from data N(m_j, s_j^2) (t = 0) to noise N(0, 1) (t = 1), per element:
/// x_t = (1 - t) x0 + t x1 has mean mu(t) = (1 - t) m and deviation sigma(t) = sqrt((1 - t)^2 s^2 + t^2),
/// v(x, t) = mu'(t) + sigma'(t) / sigma(t) * (x - mu(t)), and the ODE solution from x(1) is
/// x(t) = mu(t) + sigma(t) x(1) (closed form; sigma(1) = 1, mu(1) = 0).
/// </summary>
internal sealed class GaussianFlowField(double[] means, double[] deviations) : IVelocityModel
{
    public void Evaluate(ReadOnlySpan<float> x, float t, Span<float> velocity)
    {
        for (int j = 0; j < x.Length; j++)
        {
            double m = means[j], s2 = deviations[j] * deviations[j];
            double variance = ((1 - t) * (1 - t) * s2) + (t * t);
            double sigmaDotOverSigma = (t - ((1 - t) * s2)) / variance;
            velocity[j] = (float)(-m + (sigmaDotOverSigma * (x[j] - ((1 - t) * m))));
        }
    }

    public double Exact(int j, double x1, double t)
    {
        double s = deviations[j];
        return ((1 - t) * means[j]) + (Math.Sqrt(((1 - t) * (1 - t) * s * s) + (t * t)) * x1);
    }
}

/// <summary>Counts evaluations and can run an action on a given evaluation.</summary>
internal sealed class CountingField(IVelocityModel inner) : IVelocityModel
{
    public int Evaluations { get; private set; }

    public Action<int>? OnEvaluation { get; init; }

    public void Evaluate(ReadOnlySpan<float> x, float t, Span<float> velocity)
    {
        Evaluations++;
        OnEvaluation?.Invoke(Evaluations);
        inner.Evaluate(x, t, velocity);
    }
}

internal static class TestData
{
    public static float[] Normals(ulong seed, int length)
    {
        var values = new float[length];
        PhiloxNoise.Fill(seed, 0, values);
        return values;
    }
}
