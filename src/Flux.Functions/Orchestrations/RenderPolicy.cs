using Flux.Functions.Rendering;
using Microsoft.DurableTask;

namespace Flux.Functions.Orchestrations;

/// <summary>
/// The service settings an orchestration needs, copied from <see cref="FluxOptions"/> into its input
/// when the job starts: orchestrators never read configuration, so a replay sees the same values.
/// </summary>
public sealed record RenderPolicy(
    int MaxParallelImages,
    int DenoiseChunkSteps,
    TimeSpan DenoiseTimeBudget,
    int ActivityMaxAttempts,
    TimeSpan ActivityFirstRetryInterval)
{
    /// <summary>Between two attempts the wait doubles, up to this.</summary>
    public static readonly TimeSpan MaxRetryInterval = TimeSpan.FromMinutes(2);

    public const double RetryBackoffCoefficient = 2.0;

    public static RenderPolicy From(FluxOptions options) => new(
        options.MaxParallelImages,
        options.DenoiseChunkSteps,
        options.DenoiseTimeBudget,
        options.ActivityMaxAttempts,
        options.ActivityFirstRetryInterval);

    /// <summary>
    /// Activity retries with exponential backoff; <see cref="InvalidRenderInputException"/> is not
    /// retried, so bad input fails the image at once with its message, nor is
    /// <see cref="JobCancelledException"/>.
    /// </summary>
    public TaskOptions ActivityOptions()
        => TaskOptions.FromRetryPolicy(new RetryPolicy(
            ActivityMaxAttempts,
            ActivityFirstRetryInterval,
            RetryBackoffCoefficient,
            MaxRetryInterval)
        {
            HandleFailure = failure => !failure.IsCausedBy<InvalidRenderInputException>() && !failure.IsCausedBy<JobCancelledException>(),
        });
}
