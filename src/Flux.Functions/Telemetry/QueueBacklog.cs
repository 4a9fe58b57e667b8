using System.Diagnostics.Metrics;
using Flux.Functions.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Flux.Functions.Telemetry;

/// <summary>
/// The flux.queue.backlog gauge: approximate message counts of the jobs queue and its poison queue. A gauge is
/// read on the exporter's thread, which must not wait for storage, so the counts are polled here every
/// <see cref="PollInterval"/> and the gauge reports the latest; a failed poll keeps the last counts.
/// </summary>
internal sealed class QueueBacklog : BackgroundService
{
    public static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(30);

    public static readonly IReadOnlyList<string> Queues = [FluxOptions.JobsQueue, FluxOptions.JobsQueue + "-poison"];

    private readonly StorageClients _storage;
    private readonly ILogger<QueueBacklog> _logger;
    private readonly Dictionary<string, long> _counts = [];
    private readonly Lock _gate = new();

    public QueueBacklog(StorageClients storage, ILogger<QueueBacklog> logger)
    {
        _storage = storage;
        _logger = logger;
        FluxTelemetry.Meter.CreateObservableGauge("flux.queue.backlog", Observe, "{message}", "Approximate messages waiting in the jobs queues");
    }

    /// <summary>Reads every queue's count once.</summary>
    public async Task PollAsync(CancellationToken cancellationToken)
    {
        foreach (string queue in Queues)
        {
            try
            {
                var properties = await _storage.Queues.GetQueueClient(queue).GetPropertiesAsync(cancellationToken).ConfigureAwait(false);
                lock (_gate)
                {
                    _counts[queue] = properties.Value.ApproximateMessagesCount;
                }
            }
            catch (Azure.RequestFailedException e)
            {
                Log.QueueBacklogUnread(_logger, queue, e.Message); // a queue not created yet is a 404: no backlog to report
            }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(PollInterval);
        do
        {
            await PollAsync(stoppingToken).ConfigureAwait(false);
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    private List<Measurement<long>> Observe()
    {
        lock (_gate)
        {
            return [.. _counts.Select(c => new Measurement<long>(c.Value, new KeyValuePair<string, object?>(FluxTelemetry.QueueTag, c.Key)))];
        }
    }
}
