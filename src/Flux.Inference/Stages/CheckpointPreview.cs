using Flux.Core;

namespace Flux.Inference.Stages;

/// <summary>
/// Takes the RGB preview of the x0 estimate of one chosen step (the last step before a checkpoint) for
/// <see cref="SamplerCheckpoint.PreviewRgb"/>, and forwards every callback to the run's own observer, if any.
/// </summary>
/// <remarks>
/// Costs one copy of the state, one x - t*v pass and one 16-to-3 projection per checkpoint, not per step. The state
/// itself is never written, so resuming stays bit-identical.
/// </remarks>
internal sealed class CheckpointPreview(DenoiseObserver? inner, ImageSize size, int images) : DenoiseObserver
{
    private int _stepIndex = -1;
    private bool _innerWantsPreview;

    /// <summary>The preview of the last step taken with <see cref="TakeAt"/>; null before that step has run.</summary>
    public byte[]? Rgb { get; private set; }

    /// <summary>Takes the preview at the step with 0-based index <paramref name="stepIndex"/> (forgetting the one held).</summary>
    public void TakeAt(int stepIndex)
    {
        _stepIndex = stepIndex;
        Rgb = null;
    }

    public override bool WantsPreview(int stepIndex, int totalSteps)
    {
        _innerWantsPreview = inner?.WantsPreview(stepIndex, totalSteps) == true;
        return stepIndex == _stepIndex || _innerWantsPreview;
    }

    public override void PreviewAvailable(in StepProgress progress, ReadOnlySpan<float> x0Estimate)
    {
        if (progress.Step - 1 == _stepIndex)
        {
            int rgbLength = LatentPreview.RgbLength(size);
            var rgb = new byte[images * rgbLength];   // (B, H/8, W/8, 3)
            for (int b = 0; b < images; b++)
            {
                LatentPreview.ToRgb(x0Estimate.Slice(b * size.PackedLength, size.PackedLength), size, rgb.AsSpan(b * rgbLength, rgbLength));
            }

            Rgb = rgb;
        }

        if (_innerWantsPreview)
        {
            inner!.PreviewAvailable(progress, x0Estimate);
        }
    }

    public override void StepCompleted(in StepProgress progress) => inner?.StepCompleted(progress);
}
