using System.Globalization;

namespace Flux.Core;

/// <summary>Element type of a checkpoint payload.</summary>
public enum CheckpointElementType
{
    /// <summary>IEEE 754 binary32, little-endian.</summary>
    Float32 = 1,
}

/// <summary>
/// The sampler state between steps: the latents after <see cref="Step"/> steps of a schedule of
/// <see cref="TotalSteps"/> steps. Resuming from it with the same model, schedule and sampler gives
/// bit-identical results to an uninterrupted run (every sampler step depends only on x and the schedule).
/// It may carry <see cref="PreviewRgb"/>, which is for display only: resuming never reads it.
/// Binary format: see <see cref="CheckpointFormat"/>.
/// </summary>
public sealed class SamplerCheckpoint
{
    /// <summary>Creates a checkpoint; the arrays are kept, not copied.</summary>
    public SamplerCheckpoint(int[] shape, int step, int totalSteps, ulong scheduleFingerprint, float[] latents)
    {
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(latents);
        string? shapeError = CheckpointFormat.ValidateShape(shape, out long elements);
        if (shapeError is not null)
        {
            throw new ArgumentException(shapeError, nameof(shape));
        }

        if (elements != latents.Length)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"latents hold {latents.Length} floats but shape {FormatShape(shape)} needs {elements}"), nameof(latents));
        }

        string? stepError = CheckpointFormat.ValidateSteps(step, totalSteps);
        if (stepError is not null)
        {
            throw new ArgumentOutOfRangeException(nameof(step), stepError);
        }

        Shape = shape;
        Step = step;
        TotalSteps = totalSteps;
        ScheduleFingerprint = scheduleFingerprint;
        Latents = latents;
    }

    /// <summary>Latent shape, e.g. (B, L, 64).</summary>
    public int[] Shape { get; }

    /// <summary>Payload element type (always <see cref="CheckpointElementType.Float32"/> in version 1).</summary>
    public CheckpointElementType ElementType => CheckpointElementType.Float32;

    /// <summary>Steps completed: the next step to run (0 = initial noise, TotalSteps = completed).</summary>
    public int Step { get; }

    /// <summary>Steps of the whole schedule.</summary>
    public int TotalSteps { get; }

    /// <summary><see cref="Schedule.Fingerprint"/> of the timesteps the state was produced with.</summary>
    public ulong ScheduleFingerprint { get; }

    /// <summary>The state x at <see cref="Step"/>, flattened in <see cref="Shape"/> order.</summary>
    public float[] Latents { get; }

    /// <summary>
    /// Optional: the RGB preview (<see cref="LatentPreview.ToRgb"/>, (H/8, W/8, 3) bytes per image, image after image) of
    /// the x0 estimate x - t*v of the step that produced this state, taken at that step's start
    /// (<see cref="DenoiseObserver.PreviewAvailable"/>). A noisy state's own preview shows noise until the last steps; this
    /// shows the picture the sampler is heading for. Null when unknown (the initial state, a version 1 file).
    /// Kept, not copied; its length must be 3 bytes per latent cell of 16 values.
    /// </summary>
    public byte[]? PreviewRgb
    {
        get;
        init
        {
            if (value is not null && value.Length != CheckpointFormat.PreviewLength(Latents.Length))
            {
                throw new ArgumentException(CheckpointFormat.PreviewLength(Latents.Length) is { } expected
                    ? string.Create(CultureInfo.InvariantCulture, $"preview holds {value.Length} bytes but shape {FormatShape(Shape)} needs {expected} (3 per latent cell)")
                    : $"shape {FormatShape(Shape)} is not made of whole latent cells of {FluxConstants.LatentChannels} values, so it has no preview", nameof(PreviewRgb));
            }

            field = value;
        }
    }

    /// <summary>True when every step has run.</summary>
    public bool IsCompleted => Step == TotalSteps;

    /// <summary>Writes the checkpoint (header, payload, checksum) to <paramref name="stream"/>.</summary>
    public void WriteTo(Stream stream) => CheckpointFormat.Write(this, stream);

    /// <summary>Reads and verifies a checkpoint; throws <see cref="CheckpointException"/> naming what is wrong.</summary>
    public static SamplerCheckpoint ReadFrom(Stream stream) => CheckpointFormat.Read(stream);

    /// <summary>
    /// Throws <see cref="CheckpointException"/> unless this checkpoint belongs to a run with the given
    /// shape, total steps and schedule fingerprint.
    /// </summary>
    public void EnsureCompatible(int[] shape, int totalSteps, ulong scheduleFingerprint)
    {
        ArgumentNullException.ThrowIfNull(shape);
        if (!shape.AsSpan().SequenceEqual(Shape))
        {
            throw new CheckpointException(CheckpointFailure.ShapeMismatch,
                $"checkpoint shape {FormatShape(Shape)} does not match the run's shape {FormatShape(shape)}");
        }

        if (totalSteps != TotalSteps)
        {
            throw new CheckpointException(CheckpointFailure.TotalStepsMismatch,
                string.Create(CultureInfo.InvariantCulture, $"checkpoint was written for {TotalSteps} total steps but the run has {totalSteps}"));
        }

        if (scheduleFingerprint != ScheduleFingerprint)
        {
            throw new CheckpointException(CheckpointFailure.ScheduleMismatch,
                string.Create(CultureInfo.InvariantCulture, $"checkpoint schedule fingerprint {ScheduleFingerprint:x16} does not match the run's {scheduleFingerprint:x16} (different size, steps or shift)"));
        }
    }

    internal static string FormatShape(ReadOnlySpan<int> shape)
    {
        var parts = new string[shape.Length];
        for (int i = 0; i < shape.Length; i++)
        {
            parts[i] = shape[i].ToString(CultureInfo.InvariantCulture);
        }

        return "(" + string.Join(", ", parts) + ")";
    }
}
