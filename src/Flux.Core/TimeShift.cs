namespace Flux.Core;

/// <summary>
/// FLUX's resolution-dependent time shift (black-forest-labs/flux <c>sampling.py</c>: <c>get_lin_function</c>,
/// <c>time_shift</c>) and the SD3-style static shift.
/// </summary>
public static class TimeShift
{
    /// <summary>Sequence length at which mu = <see cref="BaseShift"/>.</summary>
    public const int BaseSequenceLength = 256;

    /// <summary>Sequence length at which mu = <see cref="MaxShift"/>.</summary>
    public const int MaxSequenceLength = 4096;

    /// <summary>mu at <see cref="BaseSequenceLength"/>.</summary>
    public const double BaseShift = 0.5;

    /// <summary>mu at <see cref="MaxSequenceLength"/>.</summary>
    public const double MaxShift = 1.15;

    /// <summary>mu = m*L + b on the line through (256, 0.5) and (4096, 1.15).</summary>
    public static double Mu(int sequenceLength)
    {
        const double m = (MaxShift - BaseShift) / (MaxSequenceLength - BaseSequenceLength);
        const double b = BaseShift - (m * BaseSequenceLength);
        return (m * sequenceLength) + b;
    }

    /// <summary>t' = e^mu / (e^mu + (1/t - 1)), with t = 0 -> 0 and t = 1 -> 1 exactly.</summary>
    public static double Dynamic(double mu, double t)
    {
        if (t <= 0)
        {
            return 0;
        }

        double expMu = Math.Exp(mu);
        return expMu / (expMu + ((1 / t) - 1));
    }

    /// <summary>t' = s*t / (1 + (s - 1)*t) (SD3), with t = 0 -> 0 and t = 1 -> 1 exactly; <see cref="Dynamic"/> equals this with s = e^mu.</summary>
    public static double Static(double s, double t) => t switch
    {
        <= 0 => 0,
        >= 1 => 1,
        _ => s * t / (1 + ((s - 1) * t)),
    };
}
