using Flux.Inference.Sessions;
using Flux.Inference.Stages;

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
        var loadedWhileSampling = new List<int>();
        var image = sequential.Generate(settings, new GenerateOptions { Progress = new TinyPipelineTests.Sink(_ => loadedWhileSampling.Add(cache.Count)) });
        Assert.Equal([1, 1], loadedWhileSampling);   // only the transformer: the encoders were released before it loaded
        Assert.Equal(0, cache.Count);
        Assert.Equal(packages.Tiny.Generate(settings).Png, image.Png);
    }

    /// <summary>
    /// One Denoise call is one stage: the transformer is loaded once however many checkpoints it hands out
    /// (the service used to re-enter Denoise per checkpoint interval: 4 loads for 8 steps with K = 2).
    /// </summary>
    [Fact]
    public async Task SequentialMode_DenoiseWithCheckpointsEveryTwoSteps_LoadsTheTransformerOnce_AndEqualsTheWholeRun()
    {
        var cache = new SessionCache();
        var options = new InferenceOptions { ExecutionProvider = ExecutionProviderKind.Cpu, MemoryMode = MemoryMode.Sequential };
        using var sequential = FluxPipeline.Open(BuiltPackages.Directory("tiny"), options, cache: cache);
        string transformer = sequential.Package.Io.Transformer.ModelFile;
        var settings = GenerationSettings.Defaults(sequential.Package, "a blue square") with { Width = 64, Height = 64, Steps = 8 };
        var conditioning = sequential.EncodePrompt(settings.Prompt);
        var checkpoints = new List<(int Step, int LoadedSessions)>();
        int loadsBefore = cache.LoadCount(transformer);   // opening the package may load it once to check its inputs and outputs

        var finished = await sequential.DenoiseAsync(new DenoiseRequest(conditioning, settings)
        {
            CheckpointInterval = 2,
            OnCheckpoint = async (state, ct) =>
            {
                await Task.Yield();   // a real store is asynchronous: the loop must resume on whatever thread
                checkpoints.Add((state.Step, cache.Count));
            },
        });

        Assert.Equal([(2, 1), (4, 1), (6, 1)], checkpoints);   // the transformer stays loaded across checkpoints
        Assert.Equal(loadsBefore + 1, cache.LoadCount(transformer));
        Assert.Equal(0, cache.Count);
        Assert.True(finished.IsCompleted);
        Assert.Equal(packages.Tiny.Generate(settings).Png, sequential.DecodeToPng(finished, settings));
    }

    [Fact]
    public void ResidentPipelines_OnOnePackage_ShareOneSessionPerFile()
    {
        var cache = new SessionCache();
        using var first = FluxPipeline.Open(BuiltPackages.Directory("tiny"), BuiltPackages.Cpu, cache: cache);
        using var second = FluxPipeline.Open(BuiltPackages.Directory("tiny"), BuiltPackages.Cpu, cache: cache);
        var settings = GenerationSettings.Defaults(first.Package, "a cat") with { Width = 256, Height = 256, Steps = 1 };
        Parallel.Invoke(() => first.Generate(settings), () => second.Generate(settings));
        Assert.Equal(5, cache.Count);   // text_encoder, text_encoder_2, transformer, vae_decoder, vae_encoder
    }

    [Fact]
    public void ConcurrentGenerations_OnOnePipeline_EqualSequentialOnes()
    {
        var settings = Enumerable.Range(0, 4)
            .Select(i => GenerationSettings.Defaults(packages.Tiny.Package, $"image {i}") with { Width = 256, Height = 256, Steps = 2, Seed = i })
            .ToList();
        var sequential = settings.Select(s => packages.Tiny.Generate(s).Png).ToList();
        var concurrent = new byte[settings.Count][];
        Parallel.For(0, settings.Count, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i => concurrent[i] = packages.Tiny.Generate(settings[i]).Png);
        Assert.Equal(sequential, concurrent);
    }

    [Fact]
    public void OptimumOutputNames_AreAcceptedByAlias_AndGiveTheSameImage()
    {
        string folder = Directory.CreateTempSubdirectory("flux-optimum-").FullName;
        try
        {
            Flux.ModelBuilder.Packages.TinyPackage.Write(folder, new Flux.ModelBuilder.Tiny.TinyFluxOptions { OptimumOutputNames = true });
            File.WriteAllText(Path.Combine(folder, "flux.json"), "{}");   // nothing from flux.json: the alias alone must be found
            using var optimum = FluxPipeline.Open(folder, new InferenceOptions { ExecutionProvider = ExecutionProviderKind.Cpu, WarmUp = true }, cache: new SessionCache());
            Assert.Equal("out_hidden_states", optimum.Package.Io.Transformer[Flux.Inference.Packages.IoContract.Velocity].Name);
            var settings = GenerationSettings.Defaults(packages.Tiny.Package, "a red circle") with { Width = 256, Height = 256, Steps = 2 };
            Assert.Equal(packages.Tiny.Generate(settings).Rgb, optimum.Generate(settings).Rgb);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Options_AreValidatedAtStartUp()
    {
        var ex = Assert.ThrowsAny<System.ComponentModel.DataAnnotations.ValidationException>(
            () => new InferenceOptions { MaxConcurrentRunsPerDevice = 0 }.Validate());
        Assert.Contains("MaxConcurrentRunsPerDevice", ex.Message, StringComparison.Ordinal);
    }
}
