using System.Globalization;

namespace Flux.Core;

/// <summary>
/// Where image-to-image starts, as diffusers' FluxImg2ImgPipeline does it
/// (src/diffusers/pipelines/flux/pipeline_flux_img2img.py): the full shifted schedule for the requested steps
/// is computed first, <c>get_timesteps</c> keeps its tail, and <c>prepare_latents</c> noises the image's latent
/// to the first kept time with the scheduler's <c>scale_noise</c>. strength 1 is text-to-image; strength 0 runs
/// no step (diffusers refuses that case; here it returns the image's own latent).
/// </summary>
public static class ImageToImage
{
    /// <summary>
    /// The index of the first step of <see cref="Schedule.Flux"/> that runs (<c>t_start</c> of <c>get_timesteps</c>):
    /// init_timestep = min(steps * strength, steps); t_start = int(max(steps - init_timestep, 0)). Steps
    /// [t_start, steps) run, that is steps - t_start of them; <c>int()</c> truncates, so 28 steps at strength
    /// 0.6 keep 17 (steps - int(11.2)), not floor(16.8) = 16.
    /// </summary>
    public static int StartStep(int steps, double strength)
    {
        if (steps < 1 || steps > Schedule.MaxSteps)
        {
            throw new ArgumentOutOfRangeException(nameof(steps), string.Create(CultureInfo.InvariantCulture, $"steps {steps} is out of range: it must be between 1 and {Schedule.MaxSteps}"));
        }

        if (!(strength >= 0 && strength <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(strength), string.Create(CultureInfo.InvariantCulture, $"strength {strength} is out of range: it must be between 0 and 1"));
        }

        double initTimestep = Math.Min(steps * strength, steps);
        return (int)Math.Max(steps - initTimestep, 0);   // Python's int() truncates toward zero; the value is >= 0
    }

    /// <summary>
    /// x = t0 * noise + (1 - t0) * x0 (FlowMatchEulerDiscreteScheduler <c>scale_noise</c>), where t0 is the schedule's
    /// time at <see cref="StartStep"/> and x0 the image's packed model-space latent (B, L, 64); t0 = 0 gives x0.
    /// </summary>
    public static void StartLatent(ReadOnlySpan<float> imageLatent, ReadOnlySpan<float> noise, double t0, Span<float> destination)
    {
        CheckNoising(imageLatent, noise, destination, t0);
        float sigma = (float)t0;
        for (int i = 0; i < destination.Length; i++)
        {
            destination[i] = (sigma * noise[i]) + ((1f - sigma) * imageLatent[i]);
        }
    }

    /// <summary>Throws unless t is in [0, 1] and the three spans have one length.</summary>
    internal static void CheckNoising(ReadOnlySpan<float> imageLatent, ReadOnlySpan<float> noise, ReadOnlySpan<float> destination, double t)
    {
        if (!(t >= 0 && t <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(t), string.Create(CultureInfo.InvariantCulture, $"time {t} is out of range: it must be between 0 and 1"));
        }

        if (noise.Length != imageLatent.Length || destination.Length != imageLatent.Length)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"image latent, noise and latents must have the same length; they have {imageLatent.Length}, {noise.Length} and {destination.Length}"));
        }
    }
}
