using System.Text.Json.Nodes;
using Flux.Core;
using Flux.ModelBuilder.Packages;
using Flux.ModelBuilder.Reference;
using Flux.Tests.Shared;

namespace Flux.Inference.Tests.Pipeline;

/// <summary>
/// A caption that names only a shape leaves the reference model a uniform prior over every image of that
/// shape, so the flow's paths curve (they head for the images' mean first, then for one image). On such a
/// path the state after every step depends on each timestep and each Runge-Kutta weight, so the pipeline's
/// checkpoints are compared step by step with <see cref="FlowOracle"/>, the test's double-precision
/// restatement of BFL's schedule and denoise loop on the same closed-form field.
/// </summary>
[Collection(BuiltPackagesCollection.Name)]
public class ReferenceTrajectoryTests(BuiltPackages packages)
{
    /// <summary>Names a shape only: the prior is uniform over the 8 circles (4 colours x 2 backgrounds).</summary>
    private const string ShapeOnly = "a circle";

    /// <summary>
    /// Relative L2 error allowed between the float32 pipeline and the float64 oracle at any step. Measured: at most
    /// 8.7e-5 for these seeds; Heun or RK4 weights moved by 0.05 (keeping their sum 1) give 6.5e-4 to 2.5e-3, a
    /// schedule with the wrong shift 1e-2 to 4e-1. Seeds whose posterior stays split late (two circles near-equally
    /// likely at t = 0.5) amplify float32 rounding to ~1e-3 and are avoided.
    /// </summary>
    /// <summary>Log-prior cost of a stated attribute an image does not match (the package's model card).</summary>
    private const double MismatchPenalty = 40;

    private const double Tolerance = 2e-4;

    private static readonly Lazy<float[]> Images = new(() => ReferencePackage.PackedLatents(ShapeDataset.Images));

    private static readonly Lazy<string> DynamicShiftCopy = new(() => CopyWithShift(BuiltPackages.Directory("reference"), "dynamic"));

    private static ImageSize Size => ReferencePackage.Size;

    [Theory]
    [InlineData("euler", 4, 3)]
    [InlineData("euler", 28, 6)]
    [InlineData("heun", 4, 7)]
    [InlineData("heun", 9, 8)]
    [InlineData("rk4", 3, 9)]
    [InlineData("rk4", 4, 10)]
    public void NoShift_EveryStep_MatchesBflScheduleAndLoop(string sampler, int steps, long seed)
    {
        var expected = Oracle().Trajectory(Noise(seed), FlowOracle.GetSchedule(steps, Size.SequenceLength, shift: false), sampler);
        AssertSameTrajectory(Run(packages.Reference, sampler, steps, seed), expected, sampler);
    }

    /// <summary>The reference size has L = 256, where mu = base_shift (0.5): this checks time_shift, not mu's slope.</summary>
    [Theory]
    [InlineData("euler", 4, 11)]
    [InlineData("heun", 5, 12)]
    [InlineData("rk4", 4, 13)]
    public void DynamicShift_EveryStep_MatchesBflScheduleAndLoop(string sampler, int steps, long seed)
    {
        using var pipeline = FluxPipeline.Open(DynamicShiftCopy.Value, BuiltPackages.Cpu);
        Assert.Equal(ScheduleShiftKind.Dynamic, pipeline.Package.Shift.Kind);
        var expected = Oracle().Trajectory(Noise(seed), FlowOracle.GetSchedule(steps, Size.SequenceLength, shift: true), sampler);
        AssertSameTrajectory(Run(pipeline, sampler, steps, seed), expected, sampler);
    }

    [Fact]
    public void ShapeOnlyCaption_PathCurves_AndEndsOnOneCircle()
    {
        const long seed = 21;
        var states = Run(packages.Reference, "euler", 4, seed);
        var final = states[^1];
        int drawn = Nearest(final);
        Assert.Equal("circle", ShapeDataset.Images[drawn].Shape);
        Assert.True(RelativeError(final, Image(drawn)) < 1e-4, "the final latent is not one image of the set");

        // A straight path would pass through (1 - t) x0 + t noise; after one step (t = 0.75) this one is off that
        // line by a large part of the image term (1 - t) x0: it headed for the circles' mean, not for the drawn one.
        var noise = Noise(seed);
        var onStraightLine = Image(drawn).Select((v, j) => (0.25 * v) + (0.75 * noise[j])).ToArray();
        var imageTerm = Image(drawn).Select(v => 0.25 * v).ToArray();
        double offLine = Distance(states[0], onStraightLine) / Norm(imageTerm);
        Assert.True(offLine > 0.3, $"after step 1 the state is off the straight line by only {offLine:P1} of the image term: the path does not curve");
    }

    [Fact]
    public void ShapeOnlyCaption_SeedsDrawSeveralCircles()
    {
        var drawn = Enumerable.Range(30, 8).Select(seed => Nearest(Run(packages.Reference, "euler", 4, seed)[^1])).ToList();
        Assert.All(drawn, k => Assert.Equal("circle", ShapeDataset.Images[k].Shape));
        Assert.True(drawn.Distinct().Count() >= 3, $"8 seeds drew only images {string.Join(", ", drawn.Distinct())}");
    }

    /// <summary>The pipeline's state after every step (checkpoints at interval 1), as packed (1, L, 64) latents.</summary>
    private static List<float[]> Run(FluxPipeline pipeline, string sampler, int steps, long seed)
    {
        var states = new List<float[]>();
        var settings = GenerationSettings.Defaults(pipeline.Package, ShapeOnly) with { Seed = seed, Steps = steps, Sampler = sampler };
        var options = new GenerateOptions { OnCheckpoint = c => states.Add(c.Latents), CheckpointInterval = 1 };
        foreach (var image in pipeline.Generate([settings], options))
        {
            image.Dispose();
        }

        return states;
    }

    private static void AssertSameTrajectory(List<float[]> actual, List<double[]> expected, string sampler)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (int i = 0; i < expected.Count; i++)
        {
            double error = RelativeError(actual[i], expected[i]);
            Assert.True(error < Tolerance, $"{sampler}: after step {i + 1} of {expected.Count} the state is {error:E2} (relative L2) away from BFL's loop");
        }
    }

    /// <summary>The model card's prior: log pi_k = -40 for each stated attribute (here: the shape) image k does not match.</summary>
    private static FlowOracle Oracle() =>
        new(Images.Value, [.. ShapeDataset.Images.Select(image => image.Shape == "circle" ? 0.0 : -MismatchPenalty)]);

    /// <summary>The pipeline's initial state for (seed, image 0): N(0, 1) latent noise, packed.</summary>
    private static float[] Noise(long seed)
    {
        var latent = new float[Size.LatentLength];
        PhiloxNoise.Fill((ulong)seed, 0, latent);
        var packed = new float[Size.PackedLength];
        LatentLayout.Pack(latent, packed, Size);
        return packed;
    }

    private static double[] Image(int k) => [.. Images.Value.AsSpan(k * Size.PackedLength, Size.PackedLength).ToArray().Select(v => (double)v)];

    private static int Nearest(float[] latent) =>
        Enumerable.Range(0, ShapeDataset.Images.Count).MinBy(k => RelativeError(latent, Image(k)));

    private static double RelativeError(IReadOnlyList<float> actual, IReadOnlyList<double> expected)
    {
        double difference = 0, norm = 0;
        for (int j = 0; j < expected.Count; j++)
        {
            difference += (actual[j] - expected[j]) * (actual[j] - expected[j]);
            norm += expected[j] * expected[j];
        }

        return Math.Sqrt(difference / norm);
    }

    private static double Distance(IReadOnlyList<float> a, IReadOnlyList<double> b) => RelativeError(a, b) * Norm(b);

    private static double Norm(IReadOnlyList<double> v) => Math.Sqrt(v.Sum(x => x * x));

    private static double RelativeError(IReadOnlyList<double> actual, IReadOnlyList<double> expected) =>
        RelativeError([.. actual.Select(v => (float)v)], expected);

    private static string CopyWithShift(string package, string shift)
    {
        string copy = PackageCopy.Of(package);
        string manifestPath = Path.Combine(copy, "flux.json");
        var manifest = JsonNode.Parse(File.ReadAllText(manifestPath))!.AsObject();
        manifest["shift"] = shift;
        File.WriteAllText(manifestPath, manifest.ToJsonString());
        return copy;
    }
}
