using System.Reflection;
using Microsoft.Extensions.Logging;

namespace Flux.Functions.Tests;

public sealed class LogEventIdTests
{
    /// <summary>Log queries and alerts select lines by event id: two messages under one id would mix in them.</summary>
    [Fact]
    public void EveryLogMessage_HasItsOwnEventId()
    {
        var ids = typeof(Log).GetMethods(BindingFlags.Public | BindingFlags.Static)
            .Select(m => (m.Name, Attribute: m.GetCustomAttribute<LoggerMessageAttribute>()))
            .Where(m => m.Attribute is not null)
            .ToList();
        Assert.NotEmpty(ids);
        var shared = ids.GroupBy(m => m.Attribute!.EventId).Where(g => g.Count() > 1)
            .Select(g => $"{g.Key}: {string.Join(", ", g.Select(m => m.Name))}");
        Assert.Empty(shared);
    }
}
