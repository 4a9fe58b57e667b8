using Microsoft.Extensions.Logging;

namespace Flux.ModelBuilder;

/// <summary>Source-generated log messages of Flux.ModelBuilder.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 3001, Level = LogLevel.Information, Message = "Building built-in model package {Name} into {Directory}")]
    public static partial void BuildingPackage(ILogger logger, string name, string directory);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Information, Message = "Built model package {Name} in {ElapsedMilliseconds} ms")]
    public static partial void BuiltPackage(ILogger logger, string name, long elapsedMilliseconds);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Debug, Message = "Model package {Name} was built concurrently by another process; using {Directory}")]
    public static partial void PackageBuiltConcurrently(ILogger logger, string name, string directory);
}
