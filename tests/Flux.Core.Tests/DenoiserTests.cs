using Flux.Core;

namespace Flux.Core.Tests;

public class DenoiserTests
{
    private sealed class RecordingObserver(Func<int, bool>? wantsPreview = null) : DenoiseObserver
    {
        public List<StepProgress> Steps { get; } = [];

        public List<(StepProgress Progress, float[] X0)> Previews { get; } = [];

        public override void StepCompleted(in StepProgress progress) => Steps.Add(progress);

        public override bool WantsPreview(int stepIndex, int totalSteps) => wantsPreview?.Invoke(stepIndex) ?? false;

        public override void PreviewAvailable(in StepProgress progress, ReadOnlySpan<float> x0Estimate)
            => Previews.Add((progress, x0Estimate.ToArray()));
    }

    [Fact]
    public void Observer_GetsOneCallbackPerStepWithCountTotalAndT()
    {
        double[] timesteps = Schedule.Flux(6, 1024, ScheduleShift.Dynamic);
        var observer = new RecordingObserver();

        Denoiser.Run(new ConstantField(new float[8]), new float[8], timesteps, Samplers.Heun, 2, 5, observer, CancellationToken.None);

        Assert.Equal(
            [new StepProgress(3, 6, timesteps[3]), new StepProgress(4, 6, timesteps[4]), new StepProgress(5, 6, timesteps[5])],
            observer.Steps);
    }

    [Fact]
    public void Preview_IsXMinusTTimesVelocityAtTheStartOfTheStep()
    {
        // Straight paths to x0: the estimate x - t*v is exactly x0 at every step.
        float[] x0 = TestData.Normals(20, 64);
        float[] x = TestData.Normals(21, 64);
        double[] timesteps = Schedule.Flux(4, 256, ScheduleShift.None);
        var observer = new RecordingObserver(step => step == 1);

        Denoiser.Run(new SinglePointField(x0), x, timesteps, Samplers.Euler, 0, 4, observer, CancellationToken.None);

        var preview = Assert.Single(observer.Previews);
        Assert.Equal(2, preview.Progress.Step);
        for (int i = 0; i < x0.Length; i++)
        {
            Assert.Equal(x0[i], preview.X0[i], 1e-5f);
        }
    }

    [Fact]
    public void Cancellation_IsHonouredBetweenSteps()
    {
        using var cts = new CancellationTokenSource();
        float[] c = TestData.Normals(22, 32);
        // Cancel during the second step's model evaluation: that step completes, the third never starts.
        var field = new CountingField(new ConstantField(c)) { OnEvaluation = n => { if (n == 2) { cts.Cancel(); } } };
        float[] x = TestData.Normals(23, 32);
        float[] expected = (float[])x.Clone();
        double[] timesteps = Schedule.Flux(5, 256, ScheduleShift.None);
        Denoiser.Run(new ConstantField(c), expected, timesteps, Samplers.Euler, 0, 2, null, CancellationToken.None);
        var observer = new RecordingObserver();

        Assert.Throws<OperationCanceledException>(
            () => Denoiser.Run(field, x, timesteps, Samplers.Euler, 0, 5, observer, cts.Token));

        Assert.Equal(2, field.Evaluations);
        Assert.Equal(2, observer.Steps.Count);
        Assert.Equal(expected, x);
    }

    [Fact]
    public void Cancellation_BeforeTheFirstStep_EvaluatesNothing()
    {
        var field = new CountingField(new ConstantField(new float[4]));

        Assert.Throws<OperationCanceledException>(() => Denoiser.Run(
            field, new float[4], Schedule.Flux(3, 256, ScheduleShift.None), Samplers.RungeKutta4, 0, 3, null, new CancellationToken(canceled: true)));

        Assert.Equal(0, field.Evaluations);
    }

    [Theory]
    [InlineData(new[] { 0.0, 1.0 }, "t[0] = 0, t[1] = 1")]
    [InlineData(new[] { 1.0, 0.5, 0.5, 0.0 }, "t[1] = 0.5, t[2] = 0.5")]
    [InlineData(new[] { 1.5, 0.0 }, "t[0] = 1.5")]
    [InlineData(new[] { 1.0, -0.1 }, "t[1] = -0.1")]
    [InlineData(new[] { 1.0, double.NaN }, "t[1] = NaN")]
    public void Run_RejectsTimestepsThatDoNotDecreaseWithinZeroToOne(double[] timesteps, string message)
    {
        var error = Assert.Throws<ArgumentException>(() => Denoiser.Run(
            new ConstantField(new float[4]), new float[4], timesteps, Samplers.Euler, 0, timesteps.Length - 1, null, CancellationToken.None));

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(-1, 2, "start step -1")]
    [InlineData(0, 5, "end step 5")]
    [InlineData(3, 2, "end step 2")]
    public void Run_RejectsStepRangeOutsideTheSchedule(int start, int end, string message)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => Denoiser.Run(
            new ConstantField(new float[4]), new float[4], Schedule.Flux(4, 256, ScheduleShift.None), Samplers.Euler, start, end, null, CancellationToken.None));

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }
}
