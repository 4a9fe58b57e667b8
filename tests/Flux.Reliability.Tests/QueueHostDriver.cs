using System.Collections.Concurrent;
using System.Text.Json;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Flux.Functions.Tests.Hosting;

namespace Flux.Reliability.Tests;

/// <summary>
/// What the Functions host's queue listener does with flux-jobs, for tests without the host: receive
/// up to host.json's batchSize messages, call the trigger with each message's dequeue count, delete on
/// success; on failure make it visible again, or, once its dequeue count reached host.json's
/// maxDequeueCount, copy it to "{queue}-poison" and delete it. (The host waits its visibilityTimeout
/// before a redelivery; this driver redelivers at once to keep tests short.)
/// </summary>
public sealed class QueueHostDriver(QueueClient queue, QueueClient poison, int batchSize, int maxDequeueCount)
{
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(1);

    public int Completed => _completed;

    public int FailedDeliveries => _failed;

    public ConcurrentBag<string> Poisoned { get; } = [];

    private int _completed;
    private int _failed;

    /// <summary>A driver with the queue settings of the repository's host.json.</summary>
    public static QueueHostDriver FromHostJson(QueueClient queue, QueueClient poison)
    {
        using var host = JsonDocument.Parse(File.ReadAllText(RepoPaths.Combine("host.json")));
        var queues = host.RootElement.GetProperty("extensions").GetProperty("queues");
        return new QueueHostDriver(queue, poison, queues.GetProperty("batchSize").GetInt32(), queues.GetProperty("maxDequeueCount").GetInt32());
    }

    public int MaxDequeueCount => maxDequeueCount;

    /// <summary>Processes messages until the queue stays empty.</summary>
    public async Task DrainAsync(Func<string, long, Task> trigger, TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        while (true)
        {
            QueueMessage[] batch = (await queue.ReceiveMessagesAsync(batchSize, Lease, deadline.Token)).Value;
            if (batch.Length == 0 && (await queue.PeekMessagesAsync(1, deadline.Token)).Value.Length == 0)
            {
                return;
            }

            await Task.WhenAll(batch.Select(m => DeliverAsync(m, trigger, deadline.Token)));
        }
    }

    private async Task DeliverAsync(QueueMessage message, Func<string, long, Task> trigger, CancellationToken cancellationToken)
    {
        try
        {
            await trigger(message.Body.ToString(), message.DequeueCount);
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            Interlocked.Increment(ref _failed);
            if (message.DequeueCount >= maxDequeueCount)
            {
                await poison.SendMessageAsync(message.Body, cancellationToken: cancellationToken);
                await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, cancellationToken);
                Poisoned.Add(message.MessageId);
            }
            else
            {
                await queue.UpdateMessageAsync(message.MessageId, message.PopReceipt, visibilityTimeout: TimeSpan.Zero, cancellationToken: cancellationToken);
            }

            return;
        }

        await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, cancellationToken);
        Interlocked.Increment(ref _completed);
    }
}
