using System.Diagnostics;
using Flux.Functions.Rendering;
using Flux.Inference;

namespace Flux.ServiceBench;

/// <summary>Does no rendering: tiny constant payloads, every step at once. What is left is orchestration.</summary>
internal sealed class NoOpRenderer : IImageRenderer
{
    private static readonly byte[] Payload = [1, 2, 3, 4];

    public string ModelId => "no-op";

    public ModelDefaults Defaults { get; } = new(64, 64, 4, 0f, "euler", FixedSize: false);

    public Task<byte[]> EncodePromptAsync(GenerationSettings spec, CancellationToken cancellationToken) => Task.FromResult(Payload);

    public Task<DenoiseChunk> DenoiseAsync(DenoiseChunkRequest request, CancellationToken cancellationToken)
        => Task.FromResult(new DenoiseChunk(Payload, request.Spec.Steps, request.Spec.Steps));

    public Task<byte[]> DecodeAsync(GenerationSettings spec, ReadOnlyMemory<byte> finalCheckpoint, CancellationToken cancellationToken)
        => Task.FromResult(Payload);
}

/// <summary>Adds up the time spent inside another renderer's stages.</summary>
internal sealed class TimingRenderer(IImageRenderer inner) : IImageRenderer
{
    private long _ticks;

    public TimeSpan Total => TimeSpan.FromTicks(Interlocked.Read(ref _ticks));

    public string ModelId => inner.ModelId;

    public ModelDefaults Defaults => inner.Defaults;

    public void Reset() => Interlocked.Exchange(ref _ticks, 0);

    public Task<byte[]> EncodePromptAsync(GenerationSettings spec, CancellationToken cancellationToken)
        => TimeAsync(() => inner.EncodePromptAsync(spec, cancellationToken));

    public Task<DenoiseChunk> DenoiseAsync(DenoiseChunkRequest request, CancellationToken cancellationToken)
        => TimeAsync(() => inner.DenoiseAsync(request, cancellationToken));

    public Task<byte[]> DecodeAsync(GenerationSettings spec, ReadOnlyMemory<byte> finalCheckpoint, CancellationToken cancellationToken)
        => TimeAsync(() => inner.DecodeAsync(spec, finalCheckpoint, cancellationToken));

    private async Task<T> TimeAsync<T>(Func<Task<T>> stage)
    {
        long start = Stopwatch.GetTimestamp();
        try
        {
            return await stage();
        }
        finally
        {
            Interlocked.Add(ref _ticks, Stopwatch.GetElapsedTime(start).Ticks);
        }
    }
}
