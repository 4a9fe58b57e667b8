using Flux.Functions.Rendering;

namespace Flux.Functions.Orchestrations;

/// <summary>How a render activity ended.</summary>
internal enum ActivityEnd
{
    /// <summary>It produced its value.</summary>
    Completed,

    /// <summary>Its input can never render (<see cref="InvalidRenderInputException"/>): no retry.</summary>
    InvalidInput,

    /// <summary>The job was cancelled while it ran (<see cref="JobCancelledException"/>): no retry, the image waits for its termination.</summary>
    Cancelled,
}

/// <summary>
/// A render activity's result, with the expected ends carried as data instead of as exceptions. The isolated
/// worker does not carry an activity's exception type to the orchestrator: an async activity's failure arrives
/// with ErrorType System.AggregateException or "(unknown)" and, depending on the extension version, no inner
/// failure (Azure/azure-functions-durable-extension#2762, #3068), so <c>IsCausedBy&lt;T&gt;()</c> cannot tell
/// invalid input or a cancelled job from a crash. Returned values cross the boundary as JSON unchanged.
/// Whatever still arrives as a failure is unexpected (a crash, storage away) and is retried.
/// </summary>
/// <param name="Reason">What ended it, for the manifest and the logs; null when completed.</param>
internal sealed record ActivityOutcome<T>(ActivityEnd End, T? Value, string? Reason)
{
    /// <summary>The value, or the expected end raised again as its exception inside the orchestrator.</summary>
    public T ValueOrThrow() => End switch
    {
        ActivityEnd.Completed => Value ?? throw new InvalidOperationException($"an activity completed without a {typeof(T).Name}"),
        ActivityEnd.InvalidInput => throw new InvalidRenderInputException(Reason ?? "invalid input"),
        ActivityEnd.Cancelled => throw new JobCancelledException(Reason ?? "the job was cancelled"),
        _ => throw new InvalidOperationException($"unknown activity end {End}"),
    };
}

internal static class ActivityOutcome
{
    /// <summary>Runs an activity's body, returning its expected ends as outcomes; anything else propagates (and is retried).</summary>
    public static async Task<ActivityOutcome<T>> OfAsync<T>(Func<Task<T>> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        try
        {
            return new ActivityOutcome<T>(ActivityEnd.Completed, await body().ConfigureAwait(false), null);
        }
        catch (InvalidRenderInputException e)
        {
            return new ActivityOutcome<T>(ActivityEnd.InvalidInput, default, e.Message);
        }
        catch (JobCancelledException e)
        {
            return new ActivityOutcome<T>(ActivityEnd.Cancelled, default, e.Message);
        }
    }
}
