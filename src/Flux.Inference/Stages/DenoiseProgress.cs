using Flux.Core;

namespace Flux.Inference.Stages;

/// <summary>Progress after one sampler step; <see cref="PreviewRgb"/> is set on preview steps ((H/8)*(W/8)*3 bytes of image 0).</summary>
public readonly record struct DenoiseProgress(int Step, int TotalSteps, double T, ReadOnlyMemory<byte> PreviewRgb);

/// <summary>Forwards Flux.Core's per-step callbacks to an <see cref="IProgress{T}"/> (synchronously, on the sampling thread).</summary>
internal sealed class ProgressObserver(IProgress<DenoiseProgress> progress, ImageSize size, int previewInterval) : DenoiseObserver
{
    private ReadOnlyMemory<byte> _preview;

    public override bool WantsPreview(int stepIndex, int totalSteps) =>
        previewInterval > 0 && ((stepIndex + 1) % previewInterval == 0 || stepIndex + 1 == totalSteps);

    public override void PreviewAvailable(in StepProgress progress, ReadOnlySpan<float> x0Estimate)
    {
        byte[] rgb = new byte[LatentPreview.RgbLength(size)];
        LatentPreview.ToRgb(x0Estimate[..size.PackedLength], size, rgb);
        _preview = rgb;
    }

    public override void StepCompleted(in StepProgress progress)
    {
        ReportStep(progress);
        _preview = ReadOnlyMemory<byte>.Empty;
    }

    private void ReportStep(in StepProgress step) =>
        progress.Report(new DenoiseProgress(step.Step, step.TotalSteps, step.T, _preview));
}
