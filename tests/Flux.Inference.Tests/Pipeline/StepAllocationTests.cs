using Flux.Inference.Stages;

namespace Flux.Inference.Tests.Pipeline;

/// <summary>
/// DESIGN section 5: nothing is allocated per sampler step. A behaviour check on allocated bytes (not
/// timing): the sampling thread's allocation counter must not move between the end of step 2 and the end
/// of the last step (step 1 may set up first-use buffers).
/// </summary>
[Collection(BuiltPackagesCollection.Name)]
public class StepAllocationTests(BuiltPackages packages)
{
    [Theory]
    [InlineData("tiny", "euler")]
    [InlineData("tiny", "heun")]
    [InlineData("tiny-dev", "euler")]
    public async Task Denoise_AfterTheFirstSteps_AllocatesNoManagedBytesPerStep(string package, string sampler)
    {
        var pipeline = package == "tiny" ? packages.Tiny : packages.TinyDev;
        var settings = GenerationSettings.Defaults(pipeline.Package, "a red circle") with { Width = 256, Height = 256, Steps = 6, Sampler = sampler };
        var conditioning = pipeline.EncodePrompt(settings.Prompt);
        var probe = new AllocationProbe(settings.Steps);

        var result = await pipeline.DenoiseAsync(new DenoiseRequest(conditioning, settings) { Progress = probe });

        Assert.True(result.IsCompleted);
        Assert.Equal(0, probe.AllocatedAfter(2, settings.Steps));
    }

    /// <summary>Reads the thread's allocation counter after each step; keeps nothing else.</summary>
    private sealed class AllocationProbe(int steps) : IProgress<DenoiseProgress>
    {
        private readonly long[] _allocatedAfterStep = new long[steps + 1];

        public long AllocatedAfter(int fromStep, int toStep) => _allocatedAfterStep[toStep] - _allocatedAfterStep[fromStep];

        public void Report(DenoiseProgress value) => _allocatedAfterStep[value.Step] = GC.GetAllocatedBytesForCurrentThread();
    }
}
