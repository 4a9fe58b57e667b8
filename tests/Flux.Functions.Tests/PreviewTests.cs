using Flux.Core;
using Flux.Functions.Rendering;
using Flux.Functions.Tests.Hosting;
using Flux.Functions.Tests.Inputs;
using Flux.Inference;
using Flux.Inference.Imaging;
using Xunit.Abstractions;

namespace Flux.Functions.Tests;

/// <summary>
/// What the preview route shows (<see cref="FluxPipelineRenderer.PreviewJpeg"/> of a Denoise checkpoint), on the reference
/// package: its velocity is the exact flow of its image set, v = (x - sum_k w_k x0_k) / t, so the x0 estimate x - t*v
/// is the posterior mean of the set, and for a prompt naming every attribute, one image from the first step on. The
/// final latent is that image too, so "close to the final preview" is an oracle for the estimate.
/// </summary>
public sealed class PreviewTests(ReferenceModelFixture reference, ITestOutputHelper output) : IClassFixture<ReferenceModelFixture>
{
    private const int Side = 256;
    private const int Steps = 4;   // FLUX.1 schnell's count: step 1 ends at t = 0.75
    private const int PreviewSide = Side / 8;

    // PSNR against the final latent's preview after step 1 of 4, measured: the x0 estimate's RGB exact (infinite), the
    // route's JPEG of it 43.1 dB; x_t's own preview 20.6 dB. Mutants: x - t_next*v 30.1 dB (its JPEG 33.4), x + t*v 12.4.
    private const double Close = 38;

    private static readonly GenerationSettings Spec = new("a red circle on a blue background", Side, Side, Steps, 0f, 5, "euler", 0);

    [Fact]
    public async Task Preview_AfterStep1Of4_IsTheX0Estimate_CloseToTheFinalImage_WhereTheNoisyLatentIsNot()
    {
        var renderer = reference.Renderer;
        byte[] conditioning = await renderer.EncodePromptAsync(Spec, CancellationToken.None);
        var afterStep1 = await DenoiseAsync(conditioning, from: null, maxSteps: 1);
        var final = await DenoiseAsync(conditioning, afterStep1.Checkpoint, maxSteps: Steps);
        Assert.Equal((1, 4), (afterStep1.Step, final.Step));
        byte[] finalPreview = XtRgb(final.Checkpoint);

        var state = Read(afterStep1.Checkpoint);
        byte[] jpeg = renderer.PreviewJpeg(Spec, afterStep1.Checkpoint)!;

        double x0Rgb = TestImages.Psnr(finalPreview, state.PreviewRgb!, PreviewSide);
        double x0Jpeg = TestImages.Psnr(finalPreview, TestImages.Rgb(jpeg), PreviewSide);
        double xtRgb = TestImages.Psnr(finalPreview, XtRgb(afterStep1.Checkpoint), PreviewSide);
        output.WriteLine($"PSNR against the final latent's preview: x0 RGB {x0Rgb:0.0} dB, x0 JPEG {x0Jpeg:0.0} dB, x_t RGB {xtRgb:0.0} dB");
        Assert.True(x0Rgb >= Close, $"the x0 estimate's preview after step 1 is {x0Rgb:0.0} dB from the final one");
        Assert.True(x0Jpeg >= Close, $"the preview route's JPEG after step 1 is {x0Jpeg:0.0} dB from the final preview");
        Assert.True(xtRgb < Close, $"x_t's own preview after step 1 ({xtRgb:0.0} dB) should be noise, or this test proves nothing");
    }

    [Fact]
    public async Task CheckpointsSavedWithinAChunk_CarryTheX0Preview_AndResumingFromThemIsBitIdentical()
    {
        byte[] conditioning = await reference.Renderer.EncodePromptAsync(Spec, CancellationToken.None);
        var saved = new List<(int Step, byte[] Checkpoint)>();
        var uninterrupted = await DenoiseAsync(conditioning, from: null, maxSteps: Steps, saved);   // K = 2: saved at step 2
        var (step, atStep2) = Assert.Single(saved);
        Assert.Equal(2, step);

        byte[] finalPreview = XtRgb(uninterrupted.Checkpoint);
        double psnr = TestImages.Psnr(finalPreview, Read(atStep2).PreviewRgb!, PreviewSide);
        Assert.True(psnr >= Close, $"the checkpoint at step 2 previews {psnr:0.0} dB from the final image");

        var resumed = await DenoiseAsync(conditioning, atStep2, maxSteps: Steps);
        Assert.Equal(Read(uninterrupted.Checkpoint).Latents.Select(BitConverter.SingleToInt32Bits), Read(resumed.Checkpoint).Latents.Select(BitConverter.SingleToInt32Bits));
    }

    [Fact]
    public async Task CheckpointWithoutAPreview_AsOlderBuildsWrote_PreviewsItsNoisyLatent()
    {
        byte[] conditioning = await reference.Renderer.EncodePromptAsync(Spec, CancellationToken.None);
        var state = Read((await DenoiseAsync(conditioning, from: null, maxSteps: 1)).Checkpoint);
        using var version1 = new MemoryStream();
        new SamplerCheckpoint(state.Shape, state.Step, state.TotalSteps, state.ScheduleFingerprint, state.Latents).WriteTo(version1);

        byte[] jpeg = reference.Renderer.PreviewJpeg(Spec, version1.ToArray())!;

        byte[] xt = XtRgb(version1.ToArray());
        Assert.Equal(ImageEncoding.Encode(xt, PreviewSide, PreviewSide, [], ImageFormat.Jpeg, FluxPipelineRenderer.PreviewQuality), jpeg);
    }

    private async Task<DenoiseChunk> DenoiseAsync(byte[] conditioning, ReadOnlyMemory<byte>? from, int maxSteps, List<(int, byte[])>? saved = null)
        => await reference.Renderer.DenoiseAsync(
            new DenoiseChunkRequest(Spec, conditioning, from, maxSteps, Timeout.InfiniteTimeSpan, (state, step, _) =>
            {
                saved?.Add((step, state.ToArray()));
                return Task.CompletedTask;
            }),
            CancellationToken.None);

    private static SamplerCheckpoint Read(ReadOnlyMemory<byte> checkpoint) => SamplerCheckpoint.ReadFrom(new MemoryStream(checkpoint.ToArray()));

    /// <summary>The checkpoint's latent x_t through <see cref="LatentPreview"/>: what the route showed before it showed x0.</summary>
    private static byte[] XtRgb(ReadOnlyMemory<byte> checkpoint)
    {
        var rgb = new byte[LatentPreview.RgbLength(Spec.Size)];
        LatentPreview.ToRgb(Read(checkpoint).Latents, Spec.Size, rgb);
        return rgb;
    }
}
