using System.Buffers.Binary;
using Flux.Core;
using Flux.Inference.Packages;
using Flux.Inference.Stages;
using Flux.Inference.Tests.Units;

namespace Flux.Inference.Tests.Pipeline;

/// <summary>The tiny FLUX-architecture packages (schnell and dev) through the real IOBinding path on the CPU provider.</summary>
[Collection(BuiltPackagesCollection.Name)]
public class TinyPipelineTests(BuiltPackages packages)
{
    private static GenerationSettings Settings(FluxPipeline pipeline, int width = 256, int height = 256, int steps = 2, string sampler = "euler") =>
        GenerationSettings.Defaults(pipeline.Package, "a photo of a cat") with { Width = width, Height = height, Steps = steps, Seed = 3, Sampler = sampler };

    [Theory]
    [InlineData("tiny", 256, 256)]
    [InlineData("tiny", 512, 768)]
    [InlineData("tiny-dev", 256, 256)]
    [InlineData("tiny-dev", 512, 768)]
    public void Generate_WritesAPngOfTheRequestedSizeWithItsParameters(string package, int width, int height)
    {
        var pipeline = package == "tiny" ? packages.Tiny : packages.TinyDev;
        var image = pipeline.Generate(Settings(pipeline, width, height));
        var header = PngChunks.Read(image.Png).First(c => c.Type == "IHDR").Data;
        Assert.Equal((width, height), (BinaryPrimitives.ReadInt32BigEndian(header), BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(4))));
        var text = PngChunks.Text(image.Png);
        Assert.Equal("a photo of a cat", text["prompt"]);
        Assert.Equal($"{width}x{height}", text["size"]);
        Assert.Equal(package == "tiny" ? "tiny" : pipeline.Package.Name, text["model"]);
        Assert.True(image.Rgb.Distinct().Count() > 1, "the image is a single flat value");
    }

    [Fact]
    public void Variants_AreDetected_SchnellWithoutShift_DevWithGuidanceAndDynamicShift()
    {
        Assert.Equal(FluxVariant.Schnell, packages.Tiny.Package.Variant);
        Assert.Equal(ScheduleShift.None, packages.Tiny.Package.Shift);
        Assert.Equal(FluxVariant.Dev, packages.TinyDev.Package.Variant);
        Assert.Equal(ScheduleShift.Dynamic, packages.TinyDev.Package.Shift);
        Assert.True(packages.TinyDev.Package.Io.Transformer.Has(IoContract.Guidance));
    }

    [Fact]
    public void Dev_GuidanceReachesTheTransformer()
    {
        var settings = Settings(packages.TinyDev);
        Assert.NotEqual(packages.TinyDev.Generate(settings with { Guidance = 1f }).Rgb, packages.TinyDev.Generate(settings with { Guidance = 6f }).Rgb);
    }

    [Fact]
    public void BatchOfFour_EqualsFourSingleRuns()
    {
        var pipeline = packages.Tiny;
        string[] prompts = ["a red circle", "a dog in the sea", "a photo of a city at night", "a green tree"];
        var batch = prompts.Select((p, i) => Settings(pipeline) with { Prompt = p, Seed = 100 + i, ImageIndex = i }).ToList();
        var together = pipeline.Generate(batch);
        for (int i = 0; i < batch.Count; i++)
        {
            var alone = pipeline.Generate(batch[i]);
            int maxDifference = alone.Rgb.Zip(together[i].Rgb, (a, b) => Math.Abs(a - b)).Max();
            Assert.True(maxDifference <= 1, $"image {i}: max pixel difference {maxDifference}");
        }

        Assert.NotEqual(together[0].Rgb, together[1].Rgb);
    }

    [Theory]
    [InlineData("euler")]
    [InlineData("heun")]
    [InlineData("rk4")]
    public void Resume_AfterInterruptionAtStep2_ProducesIdenticalPng(string sampler)
    {
        var pipeline = packages.TinyDev;
        var settings = Settings(pipeline, steps: 4, sampler: sampler);
        byte[] uninterrupted = pipeline.Generate(settings).Png;

        SamplerCheckpoint? last = null;
        using var interrupt = new CancellationTokenSource();
        Assert.ThrowsAny<OperationCanceledException>(() => pipeline.Generate(settings, new GenerateOptions
        {
            OnCheckpoint = c => last = c,
            Progress = new Sink(p => { if (p.Step == 2) { interrupt.Cancel(); } }),
        }, interrupt.Token));

        Assert.Equal(2, last!.Step);
        using var stored = new MemoryStream();
        last.WriteTo(stored);
        stored.Position = 0;
        byte[] resumed = pipeline.Generate(settings, new GenerateOptions { ResumeFrom = SamplerCheckpoint.ReadFrom(stored) }).Png;
        Assert.Equal(uninterrupted, resumed);
    }

    [Fact]
    public async Task StageApis_EncodeDenoiseInChunksDecode_EqualTheWholeRun()
    {
        var pipeline = packages.Tiny;
        var settings = Settings(pipeline, steps: 5) with { ImageIndex = 2 };
        byte[] whole = pipeline.Generate(settings).Png;

        using var stored = new MemoryStream();
        pipeline.EncodePrompt(settings.Prompt).WriteTo(stored);
        stored.Position = 0;
        var conditioning = TextConditioning.ReadFrom(stored);
        var checkpoints = new List<SamplerCheckpoint>();
        var first = await pipeline.DenoiseAsync(new DenoiseRequest(conditioning, settings)
        {
            MaxSteps = 3,
            CheckpointInterval = 2,
            OnCheckpoint = (state, _) =>
            {
                checkpoints.Add(state);
                return ValueTask.CompletedTask;
            },
        });
        Assert.Equal(3, first.Step);
        Assert.False(first.IsCompleted);
        Assert.Equal([2], checkpoints.Select(c => c.Step));   // step 3 ends the call: it is the result
        var second = await pipeline.DenoiseAsync(new DenoiseRequest(conditioning, settings) { ResumeFrom = first, MaxSteps = 10 });
        Assert.True(second.IsCompleted);
        Assert.Equal(whole, pipeline.DecodeToPng(second, settings));
    }

    [Fact]
    public void Progress_ReportsEveryStep_WithPreviews()
    {
        var pipeline = packages.Tiny;
        var settings = Settings(pipeline, steps: 3);
        var reports = new List<DenoiseProgress>();
        pipeline.Generate(settings, new GenerateOptions { Progress = new Sink(reports.Add), PreviewInterval = 1 });
        Assert.Equal([1, 2, 3], reports.Select(r => r.Step));
        Assert.All(reports, r => Assert.Equal(settings.Size.LatentHeight * settings.Size.LatentWidth * 3, r.PreviewRgb.Length));
        Assert.Equal(0.0, reports[^1].T);
    }

    [Fact]
    public void Cancellation_BeforeTheRun_StopsWithoutResult()
    {
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => packages.Tiny.Generate(Settings(packages.Tiny), null, cancelled.Token));
    }

    [Fact]
    public void Cancellation_DuringALongRun_StopsIt()
    {
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        var settings = Settings(packages.Tiny, 512, 512, steps: 1000);
        var ex = Assert.ThrowsAny<OperationCanceledException>(() => packages.Tiny.Generate(settings, null, cancel.Token));
        Assert.Equal(cancel.Token, ex.CancellationToken);
    }

    internal sealed class Sink(Action<DenoiseProgress> report) : IProgress<DenoiseProgress>
    {
        public void Report(DenoiseProgress value) => report(value);
    }

    [Fact]
    public void ReusedBuffers_GiveTheSameBytesAsFreshOnes()
    {
        // The pipeline reuses the pixel buffers of disposed images and its sampler states; nothing of an earlier
        // image may leak into a later one.
        using var pipeline = new FluxPipeline(packages.Tiny.Package);
        var settings = Settings(pipeline, 256, 256);
        byte[] first = pipeline.Generate(settings).Png;   // fresh buffers (never disposed)
        for (int seed = 50; seed < 53; seed++)
        {
            using var other = pipeline.Generate(settings with { Seed = seed });
            _ = other.Png;
        }

        using var again = pipeline.Generate(settings);   // reuses the buffers the loop gave back
        Assert.Equal(first, again.Png);
    }

    [Fact]
    public void DisposedImage_RefusesItsPixels_ButKeepsAnEncodedPng()
    {
        var settings = Settings(packages.Tiny, 64, 64);
        var encoded = packages.Tiny.Generate(settings);
        byte[] png = encoded.Png;
        encoded.Dispose();
        Assert.Same(png, encoded.Png);
        Assert.Throws<ObjectDisposedException>(() => encoded.Rgb);

        var unencoded = packages.Tiny.Generate(settings);
        unencoded.Dispose();
        unencoded.Dispose();   // twice is harmless
        var error = Assert.Throws<ObjectDisposedException>(() => unencoded.Png);
        Assert.Contains("released by Dispose", error.Message, StringComparison.Ordinal);
    }
}
