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

    public virtual Task<DenoiseChunk> DenoiseAsync(DenoiseChunkRequest request, CancellationToken cancellationToken)
        => Inner.DenoiseAsync(request, cancellationToken);

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

    public override Task<DenoiseChunk> DenoiseAsync(DenoiseChunkRequest request, CancellationToken cancellationToken)
        => base.DenoiseAsync(request with
        {
            SaveCheckpoint = async (state, step, ct) =>
            {
                await request.SaveCheckpoint(state, step, ct);
                if (step == crashAfterStep && _crashed.TryAdd((request.Spec.Seed, request.Spec.ImageIndex), true))
                {
                    throw new IOException($"injected crash after step {step} of image {request.Spec.ImageIndex}");
                }
            },
        }, cancellationToken);
}

/// <summary>Holds every Denoise call that resumes from a checkpoint until <see cref="Release"/>.</summary>
internal sealed class GatedRenderer(IImageRenderer inner) : RendererDecorator(inner)
{
    private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Release() => _gate.TrySetResult();

    public override async Task<DenoiseChunk> DenoiseAsync(DenoiseChunkRequest request, CancellationToken cancellationToken)
    {
        if (request.Checkpoint is not null)
        {
            await _gate.Task.WaitAsync(cancellationToken);
        }

        return await base.DenoiseAsync(request, cancellationToken);
    }
}

/// <summary>Rejects every Denoise call as invalid input, counting the attempts.</summary>
internal sealed class InvalidInputRenderer(IImageRenderer inner) : RendererDecorator(inner)
{
    private int _attempts;

    public int Attempts => _attempts;

    public override Task<DenoiseChunk> DenoiseAsync(DenoiseChunkRequest request, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _attempts);
        throw new InvalidRenderInputException($"sampler \"{request.Spec.Sampler}\" cannot run image {request.Spec.ImageIndex}");
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
