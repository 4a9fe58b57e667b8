using Flux.Inference.Sessions;

namespace Flux.Inference.Tests.Pipeline;

/// <summary>Session sharing and memory modes.</summary>
[Collection(BuiltPackagesCollection.Name)]
public class SessionTests(BuiltPackages packages)
{
    [Fact]
    public void SequentialMode_ReleasesEverySession_AndGivesTheResidentImage()
    {
        var cache = new SessionCache();
        var options = new InferenceOptions { ExecutionProvider = ExecutionProviderKind.Cpu, MemoryMode = MemoryMode.Sequential };
        using var sequential = FluxPipeline.Open(BuiltPackages.Directory("tiny"), options, cache: cache);
        var settings = GenerationSettings.Defaults(sequential.Package, "a blue square") with { Width = 256, Height = 256, Steps = 2 };
        var image = sequential.Generate(settings);
        Assert.Equal(0, cache.Count);
        Assert.Equal(packages.Tiny.Generate(settings).Png, image.Png);
    }

    [Fact]
    public void ResidentPipelines_OnOnePackage_ShareOneSessionPerFile()
    {
        var cache = new SessionCache();
        using var first = FluxPipeline.Open(BuiltPackages.Directory("tiny"), BuiltPackages.Cpu, cache: cache);
        using var second = FluxPipeline.Open(BuiltPackages.Directory("tiny"), BuiltPackages.Cpu, cache: cache);
        var settings = GenerationSettings.Defaults(first.Package, "a cat") with { Width = 256, Height = 256, Steps = 1 };
        Parallel.Invoke(() => first.Generate(settings), () => second.Generate(settings));
        Assert.Equal(4, cache.Count);
    }

    [Fact]
    public void Options_AreValidatedAtStartUp()
    {
        var ex = Assert.ThrowsAny<System.ComponentModel.DataAnnotations.ValidationException>(
            () => new InferenceOptions { MaxConcurrentRunsPerDevice = 0 }.Validate());
        Assert.Contains("MaxConcurrentRunsPerDevice", ex.Message, StringComparison.Ordinal);
    }
}
