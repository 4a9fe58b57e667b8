using System.Collections.Concurrent;
using System.Diagnostics.Tracing;
using Azure.Core.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Flux.Functions.Tests.Hostile;

/// <summary>
/// Captures every log line at Trace level: message, state values, scopes and exceptions, and (while
/// <see cref="ListenToAzureSdk"/> is on) the Azure SDK's own events at Verbose level, so a test can scan
/// all of it for secrets.
/// </summary>
public sealed class LogCapture : ILoggerProvider
{
    private readonly ConcurrentQueue<CapturedLog> _lines = new();

    public IReadOnlyCollection<CapturedLog> Lines => _lines;

    /// <summary>The Azure SDK's EventSource output (HTTP requests, retries, headers as it logs them) into this capture.</summary>
    public AzureEventSourceListener ListenToAzureSdk()
        => new((e, message) => _lines.Enqueue(new CapturedLog($"Azure:{e.EventSource.Name}", LogLevel.Trace, e.EventId, message)), EventLevel.Verbose);

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    public void Add(string category, string text) => _lines.Enqueue(new CapturedLog(category, LogLevel.None, 0, text));

    private sealed class Logger(LogCapture capture, string category) : ILogger
    {
        public IDisposable BeginScope<TState>(TState state)
            where TState : notnull
        {
            capture._lines.Enqueue(new CapturedLog(category, LogLevel.Trace, 0, $"scope: {state}"));
            return NoScope.Instance;
        }

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            string values = state is IEnumerable<KeyValuePair<string, object?>> pairs ? string.Join(" ", pairs.Select(p => $"{p.Key}={p.Value}")) : "";
            capture._lines.Enqueue(new CapturedLog(category, logLevel, eventId.Id, $"{formatter(state, exception)} | {values} | {exception}"));
        }
    }

    private sealed class NoScope : IDisposable
    {
        public static readonly NoScope Instance = new();

        public void Dispose()
        {
        }
    }
}

public sealed record CapturedLog(string Category, LogLevel Level, int EventId, string Text);
