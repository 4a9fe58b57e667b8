using Microsoft.Extensions.Logging;

namespace Flux.Inference;

/// <summary>Every log message of Flux.Inference (source-generated, stable event ids).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 4001, Level = LogLevel.Information, Message = "Loaded {ModelFile} on {Provider} (device {DeviceId}) in {ElapsedMs} ms")]
    public static partial void SessionLoaded(ILogger logger, string modelFile, string provider, int deviceId, long elapsedMs);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Warning, Message = "CUDA execution provider unavailable for {ModelFile} (device {DeviceId}, {Reason}); falling back to CPU")]
    public static partial void CudaFallback(ILogger logger, string modelFile, int deviceId, string reason);

    [LoggerMessage(EventId = 4007, Level = LogLevel.Warning, Message = "CUDA graph capture refused for {ModelFile} ({Reason}); it runs on CUDA without a captured graph")]
    public static partial void CudaGraphRefused(ILogger logger, string modelFile, string reason);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Information, Message = "Released session {ModelFile}")]
    public static partial void SessionReleased(ILogger logger, string modelFile);

    [LoggerMessage(EventId = 4004, Level = LogLevel.Information, Message = "Opened model package {Directory}: layout {Layout}, variant {Variant}")]
    public static partial void PackageOpened(ILogger logger, string directory, string layout, string variant);

    [LoggerMessage(EventId = 4005, Level = LogLevel.Debug, Message = "Denoised steps {StartStep}..{EndStep} of {TotalSteps}")]
    public static partial void Denoised(ILogger logger, int startStep, int endStep, int totalSteps);

    [LoggerMessage(EventId = 4006, Level = LogLevel.Debug, Message = "Warmed up the sessions of {Directory} in {ElapsedMs} ms")]
    public static partial void WarmedUp(ILogger logger, string directory, long elapsedMs);
}
