using Flux.Core;
using Flux.Inference.Imaging;

namespace Flux.Inference.Stages;

/// <summary>
/// One image's denoise stage for <see cref="FluxPipeline.DenoiseAsync"/>: the conditioning and settings,
/// where to start, how far to go, and the hooks between steps. <see cref="Conditioning"/> is
/// <see cref="FluxPipeline.EncodeConditioning"/> of the settings (two rows with true CFG).
/// </summary>
public sealed record DenoiseRequest(TextConditioning Conditioning, GenerationSettings Settings)
{
    /// <summary>Continue from this state (of the same settings) instead of the initial noise of (seed, image index).</summary>
    public SamplerCheckpoint? ResumeFrom { get; init; }

    /// <summary>
    /// The input image of image-to-image and inpainting at the settings' size, decoded and checked by the caller
    /// (<see cref="InputImage.Decode"/>). Required exactly when <see cref="GenerationSettings.Image"/> is set, on
    /// every call (a resumed inpainting run blends with it after every step).
    /// </summary>
    public InputImage? Image { get; init; }

    /// <summary>The inpainting mask at the settings' size (white = repaint); required exactly when <see cref="GenerationSettings.Mask"/> is set.</summary>
    public InputImageMask? Mask { get; init; }

    /// <summary>Steps this call may run at most; the call also ends at the schedule's last step.</summary>
    public int MaxSteps { get; init; } = int.MaxValue;

    /// <summary>
    /// Receives a copy of the state every <see cref="CheckpointInterval"/> steps (counted from where the call
    /// starts) when the call goes on past that step; the state the call ends at is its result, not handed here.
    /// Awaited before the next step runs, so a store that fails stops the call.
    /// </summary>
    public Func<SamplerCheckpoint, CancellationToken, ValueTask>? OnCheckpoint { get; init; }

    /// <summary>
    /// Attach <see cref="SamplerCheckpoint.PreviewRgb"/> (the preview of the x0 estimate of the last step run) to every
    /// state handed to <see cref="OnCheckpoint"/> and to the state returned, for whoever shows checkpoints as previews.
    /// </summary>
    public bool PreviewInCheckpoints { get; init; }

    /// <summary>Steps between checkpoints (and between time-budget checks); 0 = none.</summary>
    public int CheckpointInterval { get; init; }

    /// <summary>
    /// Wall-clock time after which the call stops at the next checkpoint boundary (checked every
    /// <see cref="CheckpointInterval"/> steps) and returns the state reached. Infinite by default.
    /// </summary>
    public TimeSpan TimeBudget { get; init; } = Timeout.InfiniteTimeSpan;

    /// <summary>Called synchronously after every step, on the sampling thread.</summary>
    public IProgress<DenoiseProgress>? Progress { get; init; }

    /// <summary>Attach a preview to the progress every N steps (0 = never).</summary>
    public int PreviewInterval { get; init; }
}
