using Flux.Core;

namespace Flux.Core.Tests;

public class ScheduleTests
{
    private const double Tolerance = 1e-6;

    public static TheoryData<int, int, int> SizesAndSteps => new()
    {
        { 256, 256, 1 },
        { 512, 512, 4 },
        { 1024, 1024, 28 },
        { 1360, 768, 50 },
        { 64, 1024, 7 },
    };

    [Theory]
    [MemberData(nameof(SizesAndSteps))]
    public void Schnell_IsLinspaceFromOneToZero(int width, int height, int steps)
    {
        var size = ImageSize.Create(width, height);

        double[] t = Schedule.Flux(steps, size.SequenceLength, ScheduleShift.None);

        Assert.Equal(steps + 1, t.Length);
        for (int i = 0; i <= steps; i++)
        {
            Assert.Equal(1.0 - ((double)i / steps), t[i], Tolerance);
        }

        Assert.Equal(1.0, t[0]);
        Assert.Equal(0.0, t[steps]);
    }

    [Theory]
    [MemberData(nameof(SizesAndSteps))]
    public void Dev_MatchesPublishedDynamicShiftFormula(int width, int height, int steps)
    {
        var size = ImageSize.Create(width, height);
        int l = (width / 16) * (height / 16);
        double mu = 0.5 + ((1.15 - 0.5) / (4096 - 256) * (l - 256));   // line through (256, 0.5), (4096, 1.15)

        double[] t = Schedule.Flux(steps, size.SequenceLength, ScheduleShift.Dynamic);

        Assert.Equal(steps + 1, t.Length);
        Assert.Equal(1.0, t[0]);
        Assert.Equal(0.0, t[steps]);
        for (int i = 1; i < steps; i++)
        {
            double linear = 1.0 - ((double)i / steps);
            double expected = Math.Exp(mu) / (Math.Exp(mu) + ((1 / linear) - 1));
            Assert.Equal(expected, t[i], Tolerance);
            Assert.True(t[i] < t[i - 1], "timesteps decrease strictly");
        }
    }

    [Fact]
    public void Dev_At1024Square_MidpointIsHandComputedValue()
    {
        // L = 4096 -> mu = 1.15; t = 0.5 -> e^1.15 / (e^1.15 + 1) = 0.7595109169491111.
        double[] t = Schedule.Flux(2, 4096, ScheduleShift.Dynamic);

        Assert.Equal(0.7595109169491111, t[1], 1e-12);
    }

    [Theory]
    [InlineData(256, 0.5)]
    [InlineData(4096, 1.15)]
    [InlineData(2176, 0.825)]
    public void Mu_LiesOnTheLineThroughTheTwoAnchors(int sequenceLength, double expected)
        => Assert.Equal(expected, TimeShift.Mu(sequenceLength), 1e-12);

    [Theory]
    [InlineData(0.3)]
    [InlineData(1.0)]
    [InlineData(3.0)]
    public void StaticShift_MatchesSd3Formula(double s)
    {
        double[] t = Schedule.Flux(10, 1024, ScheduleShift.Static(s));

        for (int i = 0; i <= 10; i++)
        {
            double linear = 1.0 - (i / 10.0);
            Assert.Equal(s * linear / (1 + ((s - 1) * linear)), t[i], Tolerance);
        }

        Assert.Equal(1.0, t[0]);
        Assert.Equal(0.0, t[10]);
    }

    [Fact]
    public void DynamicShift_EqualsStaticShiftOfExpMu()
    {
        double mu = TimeShift.Mu(1024);
        for (double t = 0.05; t < 1; t += 0.05)
        {
            Assert.Equal(TimeShift.Static(Math.Exp(mu), t), TimeShift.Dynamic(mu, t), 1e-12);
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-3)]
    [InlineData(Schedule.MaxSteps + 1)]
    public void Flux_RejectsStepCountOutOfRange(int steps)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => Schedule.Flux(steps, 256, ScheduleShift.None));
        Assert.Contains($"steps {steps}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Fingerprint_DiffersForDifferentSchedulesAndIsStable()
    {
        ulong schnell = Schedule.Fingerprint(Schedule.Flux(4, 4096, ScheduleShift.None));
        ulong dev = Schedule.Fingerprint(Schedule.Flux(4, 4096, ScheduleShift.Dynamic));
        ulong devSmaller = Schedule.Fingerprint(Schedule.Flux(4, 1024, ScheduleShift.Dynamic));

        Assert.Equal(schnell, Schedule.Fingerprint(Schedule.Flux(4, 4096, ScheduleShift.None)));
        Assert.NotEqual(schnell, dev);
        Assert.NotEqual(dev, devSmaller);
    }

    [Theory]
    [InlineData("none", ScheduleShiftKind.None, 0)]
    [InlineData("Dynamic", ScheduleShiftKind.Dynamic, 0)]
    [InlineData("3", ScheduleShiftKind.Static, 3)]
    [InlineData("1.5", ScheduleShiftKind.Static, 1.5)]
    public void ShiftParse_AcceptsNamesAndPositiveNumbers(string text, ScheduleShiftKind kind, double value)
    {
        Assert.True(ScheduleShift.TryParse(text, out var shift));
        Assert.Equal(kind, shift.Kind);
        Assert.Equal(value, shift.Value);
    }

    [Theory]
    [InlineData("")]
    [InlineData("fast")]
    [InlineData("0")]
    [InlineData("-2")]
    [InlineData("NaN")]
    public void ShiftParse_RejectsOtherText(string text) => Assert.False(ScheduleShift.TryParse(text, out _));
}
