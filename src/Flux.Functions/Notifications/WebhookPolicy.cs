using Microsoft.DurableTask;

namespace Flux.Functions.Notifications;

/// <summary>
/// Retries of the DeliverWebhook activity (a durable retry policy: the waits are durable timers, so a
/// receiver that is down for minutes costs no worker time), copied from <see cref="FluxOptions"/> into
/// the orchestration's input. Every failure that reaches it is retried: a refused target
/// (<see cref="WebhookRefusedException"/>) comes back from the activity as a <see cref="WebhookRefusal"/>, not as a failure.
/// </summary>
internal sealed record WebhookPolicy(int MaxAttempts, TimeSpan FirstRetryInterval)
{
    public const double BackoffCoefficient = 2.0;

    public static readonly TimeSpan MaxRetryInterval = TimeSpan.FromMinutes(5);

    public static WebhookPolicy Default { get; } = From(new FluxOptions());

    public static WebhookPolicy From(FluxOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new(options.WebhookMaxAttempts, options.WebhookFirstRetryInterval);
    }

    public TaskOptions ActivityOptions()
        => TaskOptions.FromRetryPolicy(new RetryPolicy(MaxAttempts, FirstRetryInterval, BackoffCoefficient, MaxRetryInterval));
}
