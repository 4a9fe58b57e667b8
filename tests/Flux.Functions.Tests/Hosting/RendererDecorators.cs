using System.Collections.Concurrent;
using Flux.Functions.Rendering;
using Flux.Inference;

namespace Flux.Functions.Tests.Hosting;

/// <summary>Passes every stage through to another renderer; decorators override what they change.</summary>
internal abstract class RendererDecorator(IImageRenderer inner) : IImageRenderer
{
    public IImageRenderer Inner { get; } = inner;

    public string ModelId => Inner.ModelId;

    public ModelDefaults Defaults => Inner.Defaults;

    public virtual Task<byte[]> EncodePromptAsync(GenerationSettings spec, CancellationToken cancellationToken)
        => Inner.EncodePromptAsync(spec, cancellationToken);

    public virtual Task<DenoiseChunk> DenoiseAsync(
        GenerationSettings spec, ReadOnlyMemory<byte> conditioning, SourceImage? source, ReadOnlyMemory<byte>? checkpoint, int maxSteps, TimeSpan timeBudget,
        Func<ReadOnlyMemory<byte>, int, CancellationToken, Task> saveCheckpoint, CancellationToken cancellationToken)
        => Inner.DenoiseAsync(spec, conditioning, source, checkpoint, maxSteps, timeBudget, saveCheckpoint, cancellationToken);

    public virtual Task<byte[]> DecodeAsync(GenerationSettings spec, ReadOnlyMemory<byte> finalCheckpoint, CancellationToken cancellationToken)
        => Inner.DecodeAsync(spec, finalCheckpoint, cancellationToken);

    public byte[]? PreviewJpeg(GenerationSettings spec, ReadOnlyMemory<byte> checkpoint) => Inner.PreviewJpeg(spec, checkpoint);
}

/// <summary>
/// Crashes the first Denoise attempt of each image right after it saved the checkpoint of step
/// <paramref name="crashAfterStep"/>, the way a preempted GPU worker would.
/// </summary>
internal sealed class CrashOnceRenderer(IImageRenderer inner, int crashAfterStep) : RendererDecorator(inner)
{
    private readonly ConcurrentDictionary<(long, int), bool> _crashed = new();

    public int Crashes => _crashed.Count;

    public override Task<DenoiseChunk> DenoiseAsync(
        GenerationSettings spec, ReadOnlyMemory<byte> conditioning, SourceImage? source, ReadOnlyMemory<byte>? checkpoint, int maxSteps, TimeSpan timeBudget,
        Func<ReadOnlyMemory<byte>, int, CancellationToken, Task> saveCheckpoint, CancellationToken cancellationToken)
        => base.DenoiseAsync(spec, conditioning, source, checkpoint, maxSteps, timeBudget, async (state, step, ct) =>
        {
            await saveCheckpoint(state, step, ct);
            if (step == crashAfterStep && _crashed.TryAdd((spec.Seed, spec.ImageIndex), true))
            {
                throw new IOException($"injected crash after step {step} of image {spec.ImageIndex}");
            }
        }, cancellationToken);
}

/// <summary>Holds every Denoise call that resumes from a checkpoint until <see cref="Release"/>.</summary>
internal sealed class GatedRenderer(IImageRenderer inner) : RendererDecorator(inner)
{
    private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Release() => _gate.TrySetResult();

    public override async Task<DenoiseChunk> DenoiseAsync(
        GenerationSettings spec, ReadOnlyMemory<byte> conditioning, SourceImage? source, ReadOnlyMemory<byte>? checkpoint, int maxSteps, TimeSpan timeBudget,
        Func<ReadOnlyMemory<byte>, int, CancellationToken, Task> saveCheckpoint, CancellationToken cancellationToken)
    {
        if (checkpoint is not null)
        {
            await _gate.Task.WaitAsync(cancellationToken);
        }

        return await base.DenoiseAsync(spec, conditioning, source, checkpoint, maxSteps, timeBudget, saveCheckpoint, cancellationToken);
    }
}

/// <summary>Rejects every Denoise call as invalid input, counting the attempts.</summary>
internal sealed class InvalidInputRenderer(IImageRenderer inner) : RendererDecorator(inner)
{
    private int _attempts;

    public int Attempts => _attempts;

    public override Task<DenoiseChunk> DenoiseAsync(
        GenerationSettings spec, ReadOnlyMemory<byte> conditioning, SourceImage? source, ReadOnlyMemory<byte>? checkpoint, int maxSteps, TimeSpan timeBudget,
        Func<ReadOnlyMemory<byte>, int, CancellationToken, Task> saveCheckpoint, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _attempts);
        throw new InvalidRenderInputException($"sampler \"{spec.Sampler}\" cannot run image {spec.ImageIndex}");
    }
}

/// <summary>Fails every EncodePrompt call with the exception <paramref name="failure"/> makes, counting the attempts.</summary>
internal sealed class FailingEncoderRenderer(IImageRenderer inner, Func<string, Exception> failure) : RendererDecorator(inner)
{
    private int _attempts;

    public int Attempts => _attempts;

    public override Task<byte[]> EncodePromptAsync(GenerationSettings spec, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _attempts);
        throw failure(spec.Prompt);
    }
}
