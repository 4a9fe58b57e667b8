using Microsoft.DurableTask;

namespace Flux.Functions.Orchestrations;

/// <summary>
/// The service settings an orchestration needs, copied from <see cref="FluxOptions"/> into its input
/// when the job starts: orchestrators never read configuration, so a replay sees the same values.
/// </summary>
internal sealed record RenderPolicy(
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
    /// Activity retries with exponential backoff, for every failure. Failures are not classified by
    /// exception type, which the isolated worker does not preserve: the ends no retry can change
    /// (invalid input, a cancelled job) are returned by the render activities as an
    /// <see cref="ActivityOutcome{T}"/> and never arrive here, so what does arrive (a crashed worker,
    /// storage away) is worth another attempt.
    /// </summary>
    public TaskOptions ActivityOptions()
        => TaskOptions.FromRetryPolicy(new RetryPolicy(
            ActivityMaxAttempts,
            ActivityFirstRetryInterval,
            RetryBackoffCoefficient,
            MaxRetryInterval));
}
