using Flux.Functions.Storage;

namespace Flux.Functions.Activities;

/// <summary>
/// Polls the job's cancellation marker while an activity renders and cancels <see cref="Token"/>
/// when it appears, so the renderer (which checks its token between steps) stops within one step
/// of the poll. Disposing stops the polling.
/// </summary>
internal sealed class CancellationWatch : IAsyncDisposable
{
    private readonly CancellationTokenSource _cancelled;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _polling;

    private CancellationWatch(CheckpointStore checkpoints, string jobId, TimeSpan interval, CancellationToken activityToken)
    {
        _cancelled = CancellationTokenSource.CreateLinkedTokenSource(activityToken);
        _polling = PollAsync(checkpoints, jobId, interval);
    }

    /// <summary>Cancelled when the job is cancelled or the activity itself is.</summary>
    public CancellationToken Token => _cancelled.Token;

    /// <summary>True once the marker was seen (as opposed to the host cancelling the activity).</summary>
    public bool JobCancelled { get; private set; }

    public static CancellationWatch Start(CheckpointStore checkpoints, string jobId, TimeSpan interval, CancellationToken activityToken)
        => new(checkpoints, jobId, interval, activityToken);

    private async Task PollAsync(CheckpointStore checkpoints, string jobId, TimeSpan interval)
    {
        using var timer = new PeriodicTimer(interval);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false))
            {
                if (await IsCancelledAsync(checkpoints, jobId).ConfigureAwait(false))
                {
                    JobCancelled = true;
                    await _cancelled.CancelAsync().ConfigureAwait(false);
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // the activity finished
        }
    }

    /// <summary>A failed poll (storage briefly away) is not a cancellation; the next tick asks again.</summary>
    private async Task<bool> IsCancelledAsync(CheckpointStore checkpoints, string jobId)
    {
        try
        {
            return await checkpoints.IsCancelledAsync(jobId, _stop.Token).ConfigureAwait(false);
        }
        catch (Azure.RequestFailedException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _polling.ConfigureAwait(false);
        _stop.Dispose();
        _cancelled.Dispose();
    }
}
