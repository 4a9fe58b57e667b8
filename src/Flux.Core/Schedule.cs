using System.Globalization;
using System.IO.Hashing;
using System.Runtime.InteropServices;

namespace Flux.Core;

/// <summary>FLUX's timestep schedule (black-forest-labs/flux <c>sampling.py: get_schedule</c>).</summary>
public static class Schedule
{
    /// <summary>Largest step count accepted.</summary>
    public const int MaxSteps = 10_000;

    /// <summary>
    /// t = linspace(1, 0, N+1), then shifted: none (schnell), dynamic with mu(L) (dev) or static s.
    /// Returns N+1 values with t[0] = 1 and t[N] = 0.
    /// </summary>
    public static double[] Flux(int steps, int sequenceLength, ScheduleShift shift)
    {
        if (steps < 1 || steps > MaxSteps)
        {
            throw new ArgumentOutOfRangeException(nameof(steps), string.Create(CultureInfo.InvariantCulture, $"steps {steps} is out of range: it must be between 1 and {MaxSteps}"));
        }

        if (sequenceLength < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(sequenceLength), string.Create(CultureInfo.InvariantCulture, $"sequence length {sequenceLength} must be positive"));
        }

        var timesteps = new double[steps + 1];
        double mu = TimeShift.Mu(sequenceLength);
        for (int i = 0; i <= steps; i++)
        {
            double t = Linspace(i, steps);
            timesteps[i] = shift.Kind switch
            {
                ScheduleShiftKind.Dynamic => TimeShift.Dynamic(mu, t),
                ScheduleShiftKind.Static => TimeShift.Static(shift.Value, t),
                _ => t,
            };
        }

        return timesteps;
    }

    /// <summary>
    /// A 64-bit fingerprint (XxHash64 of the little-endian IEEE 754 bits) of a schedule, stored in
    /// checkpoints so that a resume with a different schedule is refused.
    /// </summary>
    public static ulong Fingerprint(ReadOnlySpan<double> timesteps)
    {
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("schedule fingerprints are defined on little-endian machines");
        }

        return XxHash64.HashToUInt64(MemoryMarshal.AsBytes(timesteps));
    }

    // i-th of N+1 points from 1 down to 0; the end points are exact.
    private static double Linspace(int i, int steps) => i == steps ? 0.0 : 1.0 - ((double)i / steps);
}
