using System.Globalization;

namespace Flux.Core;

/// <summary>Progress after one completed step.</summary>
/// <param name="Step">Steps completed so far, 1-based (step index + 1).</param>
/// <param name="TotalSteps">Steps in the whole schedule (timesteps - 1).</param>
/// <param name="T">The time t reached by this step.</param>
public readonly record struct StepProgress(int Step, int TotalSteps, double T);

/// <summary>
/// Receives a callback after every step of <see cref="Denoiser.Run(IVelocityModel, Span{float}, ReadOnlySpan{double}, ISampler, int, int, DenoiseObserver?, CancellationToken)"/>.
/// Override <see cref="WantsPreview"/> to also receive the x0 estimate of a step.
/// </summary>
public abstract class DenoiseObserver
{
    /// <summary>Called once per completed step, on the sampling thread.</summary>
    public abstract void StepCompleted(in StepProgress progress);

    /// <summary>
    /// Return true to get <see cref="PreviewAvailable"/> for the step with 0-based index <paramref name="stepIndex"/>
    /// (costs one copy of the state and one x - t*v pass). Default: never.
    /// </summary>
    public virtual bool WantsPreview(int stepIndex, int totalSteps) => false;

    /// <summary>
    /// The estimate x0 = x - t*v of the clean latent (B, L, 64), from the state and velocity at the start
    /// of the step (see <see cref="LatentPreview.EstimateX0"/>). Called before <see cref="StepCompleted"/>.
    /// The span is only valid during the call.
    /// </summary>
    public virtual void PreviewAvailable(in StepProgress progress, ReadOnlySpan<float> x0Estimate)
    {
    }
}

/// <summary>The sampling loop (black-forest-labs/flux <c>sampling.py: denoise</c>) over any sampler.</summary>
public static class Denoiser
{
    /// <summary>
    /// Runs steps [<paramref name="startStep"/>, <paramref name="endStep"/>) of <paramref name="timesteps"/> in place on
    /// <paramref name="x"/> (B, L, 64). Step i goes from timesteps[i] to timesteps[i+1]; the step landing on t = 0
    /// is the final step (Euler for every sampler). Cancellation is checked before each step.
    /// </summary>
    public static void Run(IVelocityModel model, Span<float> x, ReadOnlySpan<double> timesteps, ISampler sampler,
        int startStep, int endStep, DenoiseObserver? observer, CancellationToken ct)
        => Run(model, x, timesteps, sampler, startStep, endStep, observer, new SamplerWorkspace(Math.Max(1, x.Length)), ct);

    /// <summary>As the other overload, with a caller-owned workspace (reuse it across runs of the same length).</summary>
    public static void Run(IVelocityModel model, Span<float> x, ReadOnlySpan<double> timesteps, ISampler sampler,
        int startStep, int endStep, DenoiseObserver? observer, SamplerWorkspace workspace, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(sampler);
        ArgumentNullException.ThrowIfNull(workspace);
        int totalSteps = timesteps.Length - 1;
        ValidateRange(timesteps, startStep, endStep);
        workspace.EnsureFits(x.Length);

        for (int i = startStep; i < endStep; i++)
        {
            ct.ThrowIfCancellationRequested();
            double tCurrent = timesteps[i], tNext = timesteps[i + 1];
            bool isFinalStep = tNext <= 0;
            bool preview = observer?.WantsPreview(i, totalSteps) == true;
            if (preview)
            {
                x.CopyTo(workspace.Previous);
            }

            sampler.Step(model, x, tCurrent, tNext, isFinalStep, workspace);
            if (observer is null)
            {
                continue;
            }

            var progress = new StepProgress(i + 1, totalSteps, tNext);
            if (preview)
            {
                Span<float> x0 = workspace.Previous;
                LatentPreview.EstimateX0(x0, workspace.FirstVelocity, (float)tCurrent, x0);   // (B, L, 64)
                observer.PreviewAvailable(progress, x0);
            }

            observer.StepCompleted(progress);
        }
    }

    private static void ValidateRange(ReadOnlySpan<double> timesteps, int startStep, int endStep)
    {
        int totalSteps = timesteps.Length - 1;
        if (totalSteps < 1)
        {
            throw new ArgumentException("timesteps must hold at least two values (one step)", nameof(timesteps));
        }

        for (int i = 0; i < totalSteps; i++)
        {
            if (!(timesteps[i] <= 1 && timesteps[i] > timesteps[i + 1] && timesteps[i + 1] >= 0))
            {
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                    $"timesteps must decrease strictly within [0, 1]: t[{i}] = {timesteps[i]}, t[{i + 1}] = {timesteps[i + 1]}"), nameof(timesteps));
            }
        }

        if (startStep < 0 || startStep > totalSteps)
        {
            throw new ArgumentOutOfRangeException(nameof(startStep), string.Create(CultureInfo.InvariantCulture, $"start step {startStep} is out of range: it must be between 0 and {totalSteps}"));
        }

        if (endStep < startStep || endStep > totalSteps)
        {
            throw new ArgumentOutOfRangeException(nameof(endStep), string.Create(CultureInfo.InvariantCulture, $"end step {endStep} is out of range: it must be between {startStep} and {totalSteps}"));
        }
    }
}
