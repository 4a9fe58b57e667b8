using Flux.Core;
using Xunit.Abstractions;

namespace Flux.Core.Tests;

public class SamplerTests(ITestOutputHelper output)
{
    public static TheoryData<string> SamplerNames => ["euler", "heun", "rk4"];

    [Fact]
    public void Euler_OnConstantField_OneStepIsExact()
    {
        float[] c = TestData.Normals(1, 256);
        float[] x = TestData.Normals(2, 256);
        float[] expected = x.Select((v, i) => v - c[i]).ToArray();   // x(0) = x(1) - c

        Samplers.Euler.Step(new ConstantField(c), x, 1.0, 0.0, isFinalStep: true, new SamplerWorkspace(x.Length));

        Assert.Equal(expected, x);
    }

    [Theory]
    [MemberData(nameof(SamplerNames))]
    public void EverySampler_OnALatentSpanningSeveralBlocks_UpdatesEveryElement(string name)
    {
        // 1024x512 packed latent (2048 x 64 floats) plus a ragged tail: several update blocks and a partial one.
        const int length = (2048 * 64) + 5;
        float[] c = TestData.Normals(7, length);
        float[] x = TestData.Normals(8, length);
        float[] start = (float[])x.Clone();

        Samplers.Parse(name).Step(new ConstantField(c), x, 0.8, 0.3, isFinalStep: false, new SamplerWorkspace(length));

        for (int i = 0; i < length; i++)
        {
            Assert.Equal(start[i] - (0.5f * c[i]), x[i], 1e-5f);   // straight path: x + (t_next - t_cur) c
        }
    }

    [Theory]
    [MemberData(nameof(SamplerNames))]
    public void EverySampler_OnStraightPathsToOnePoint_LandsOnThePointWithoutEvaluatingAtZero(string name)
    {
        float[] x0 = TestData.Normals(3, 128);
        float[] x = TestData.Normals(4, 128);
        var field = new SinglePointField(x0);
        double[] timesteps = Schedule.Flux(7, 4096, ScheduleShift.Dynamic);

        Denoiser.Run(field, x, timesteps, Samplers.Parse(name), 0, 7, null, CancellationToken.None);

        Assert.All(field.EvaluatedTimes, t => Assert.True(t > 0));
        for (int i = 0; i < x.Length; i++)
        {
            Assert.Equal(x0[i], x[i], 1e-5f);
        }
    }

    [Theory]
    [InlineData("euler", 1, 1)]
    [InlineData("heun", 2, 1)]
    [InlineData("rk4", 4, 1)]
    public void Evaluations_MatchWhatTheSamplerReports(string name, int perStep, int finalStep)
    {
        ISampler sampler = Samplers.Parse(name);
        var field = new CountingField(new ConstantField(new float[16]));
        double[] timesteps = Schedule.Flux(5, 256, ScheduleShift.None);

        Denoiser.Run(field, new float[16], timesteps, sampler, 0, 5, null, CancellationToken.None);

        Assert.Equal(perStep, sampler.EvaluationsPerStep(isFinalStep: false));
        Assert.Equal(finalStep, sampler.EvaluationsPerStep(isFinalStep: true));
        Assert.Equal((4 * perStep) + finalStep, field.Evaluations);
    }

    [Theory]
    [InlineData("euler", 1.0)]
    [InlineData("heun", 2.0)]
    [InlineData("rk4", 4.0)]
    public void GaussianFlow_GlobalErrorConvergesAtTheSamplersOrder(string name, double order)
    {
        // Integrate from t = 1 to t = 0.25 (short of t = 0, so no final Euler step masks the order)
        // and fit log(error) against log(h) over several step counts.
        const double tEnd = 0.25;
        double[] means = [2.0, -1.0, 0.5, 3.0];
        double[] deviations = [0.3, 0.5, 0.2, 0.8];
        var field = new GaussianFlowField(means, deviations);
        float[] x1 = [1.2f, -0.7f, 0.4f, -1.9f];
        int[] stepCounts = name == "rk4" ? [2, 3, 4, 6] : [4, 8, 16, 32];
        var logH = new List<double>();
        var logError = new List<double>();

        foreach (int n in stepCounts)
        {
            double[] timesteps = Enumerable.Range(0, n + 1).Select(i => 1 - ((1 - tEnd) * i / n)).ToArray();
            float[] x = (float[])x1.Clone();
            Denoiser.Run(field, x, timesteps, Samplers.Parse(name), 0, n, null, CancellationToken.None);
            double error = x.Select((v, j) => Math.Abs(v - field.Exact(j, x1[j], tEnd))).Max();
            logH.Add(Math.Log((1 - tEnd) / n));
            logError.Add(Math.Log(error));
        }

        double slope = FitSlope(logH, logError);
        output.WriteLine($"{name}: slope {slope:F3}, errors {string.Join(", ", logError.Select(e => Math.Exp(e).ToString("E2")))}");
        Assert.InRange(slope, order - 0.3, order + 0.3);
    }

    [Fact]
    public void Steps_AllocateNothing()
    {
        float[] x = TestData.Normals(5, 4096);
        var field = new ConstantField(TestData.Normals(6, 4096));
        var workspace = new SamplerWorkspace(x.Length);
        double[] timesteps = Schedule.Flux(8, 256, ScheduleShift.Dynamic);
        ISampler[] samplers = [Samplers.Euler, Samplers.Heun, Samplers.RungeKutta4];
        foreach (ISampler sampler in samplers)
        {
            Denoiser.Run(field, x, timesteps, sampler, 0, 8, null, workspace, CancellationToken.None);   // warm up
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        foreach (ISampler sampler in samplers)
        {
            Denoiser.Run(field, x, timesteps, sampler, 0, 8, null, workspace, CancellationToken.None);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Theory]
    [InlineData("euler")]
    [InlineData("heun")]
    [InlineData("rk4")]
    public void LentVelocityBuffer_WithStaleContents_GivesTheSameStepsAsAFreshWorkspace(string name)
    {
        float[] start = TestData.Normals(7, 1024);
        var field = new ConstantField(TestData.Normals(8, 1024));
        double[] timesteps = Schedule.Flux(4, 256, ScheduleShift.Dynamic);
        float[] fresh = (float[])start.Clone(), lent = (float[])start.Clone();
        float[] buffer = TestData.Normals(9, 1024);   // whatever an earlier image left in it

        Denoiser.Run(field, fresh, timesteps, Samplers.Parse(name), 0, 4, null, new SamplerWorkspace(fresh.Length), CancellationToken.None);
        var workspace = new SamplerWorkspace(buffer);
        Denoiser.Run(field, lent, timesteps, Samplers.Parse(name), 0, 4, null, workspace, CancellationToken.None);

        Assert.Equal(fresh, lent);
        Assert.Same(buffer, workspace.FirstVelocityBuffer);
        Assert.Throws<ArgumentOutOfRangeException>(() => new SamplerWorkspace(Array.Empty<float>()));
    }

    [Fact]
    public void Parse_RejectsUnknownNameListingTheAllowedOnes()
    {
        var error = Assert.Throws<ArgumentException>(() => Samplers.Parse("dpm++"));

        Assert.Contains("'dpm++'", error.Message, StringComparison.Ordinal);
        Assert.Contains("euler, heun, rk4", error.Message, StringComparison.Ordinal);
    }

    private static double FitSlope(List<double> xs, List<double> ys)
    {
        double mx = xs.Average(), my = ys.Average();
        double sxy = xs.Zip(ys, (a, b) => (a - mx) * (b - my)).Sum();
        double sxx = xs.Sum(a => (a - mx) * (a - mx));
        return sxy / sxx;
    }
}
