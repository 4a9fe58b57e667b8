using Flux.Inference;

namespace Flux.Functions.Rendering;

/// <summary>
/// The three stages of one image, as the durable activities run them. Conditioning and checkpoints
/// are opaque bytes to the service: it stores them in blobs and hands them back unchanged.
/// Implementations are shared singletons and must be safe for concurrent calls.
/// </summary>
public interface IImageRenderer
{
    /// <summary>Identifies the model weights; part of the conditioning cache key.</summary>
    string ModelId { get; }

    /// <summary>What a request gets when it leaves a field out, and whether the size is fixed.</summary>
    ModelDefaults Defaults { get; }

    /// <summary>Runs the text encoders once; returns the serialized conditioning.</summary>
    Task<byte[]> EncodePromptAsync(string prompt, CancellationToken cancellationToken);

    /// <summary>
    /// Runs at most <paramref name="maxSteps"/> sampler steps from <paramref name="checkpoint"/>
    /// (or from the seed's initial noise when it is null), stopping early once
    /// <paramref name="timeBudget"/> is used. Every <c>K</c> steps (the implementation's checkpoint
    /// interval) it calls <paramref name="saveCheckpoint"/> with the state and the step reached, so a
    /// crash loses at most K steps. The state after the last step run is returned.
    /// </summary>
    Task<DenoiseChunk> DenoiseAsync(
        GenerationSettings spec,
        ReadOnlyMemory<byte> conditioning,
        ReadOnlyMemory<byte>? checkpoint,
        int maxSteps,
        TimeSpan timeBudget,
        Func<ReadOnlyMemory<byte>, int, CancellationToken, Task> saveCheckpoint,
        CancellationToken cancellationToken);

    /// <summary>Decodes the finished latent of <paramref name="finalCheckpoint"/> to a PNG.</summary>
    Task<byte[]> DecodeToPngAsync(GenerationSettings spec, ReadOnlyMemory<byte> finalCheckpoint, CancellationToken cancellationToken);
}

/// <summary>What one Denoise call reached: the serialized sampler state after <see cref="Step"/> steps.</summary>
public sealed record DenoiseChunk(ReadOnlyMemory<byte> Checkpoint, int Step, int TotalSteps)
{
    public bool IsCompleted => Step >= TotalSteps;
}

/// <summary>Defaults and constraints of the loaded model.</summary>
/// <param name="FixedSize">True when the model renders only <see cref="Width"/> x <see cref="Height"/>.</param>
public sealed record ModelDefaults(int Width, int Height, int Steps, float Guidance, string Sampler, bool FixedSize);
