using Flux.Inference;
using Flux.Inference.Imaging;

namespace Flux.Functions.Rendering;

/// <summary>
/// The three stages of one image, as the durable activities run them. Conditioning and checkpoints
/// are opaque bytes to the service: it stores them in blobs and hands them back unchanged.
/// Implementations are shared singletons and must be safe for concurrent calls.
/// </summary>
internal interface IImageRenderer
{
    /// <summary>Identifies the model weights; part of the conditioning cache key.</summary>
    string ModelId { get; }

    /// <summary>What a request gets when it leaves a field out, and whether the size is fixed.</summary>
    ModelDefaults Defaults { get; }

    /// <summary>
    /// Runs the text encoders once for what <paramref name="spec"/> says to encode: its prompt (and prompt2 for T5),
    /// with the negative prompt as a second batch entry when it uses true CFG; returns the serialized conditioning.
    /// </summary>
    Task<byte[]> EncodePromptAsync(GenerationSettings spec, CancellationToken cancellationToken);

    /// <summary>
    /// Runs one chunk of sampler steps as <paramref name="request"/> says; every <c>K</c> steps (the implementation's
    /// checkpoint interval) it calls <see cref="DenoiseChunkRequest.SaveCheckpoint"/> with the state and the step
    /// reached, so a crash loses at most K steps. The state after the last step run is returned.
    /// </summary>
    Task<DenoiseChunk> DenoiseAsync(DenoiseChunkRequest request, CancellationToken cancellationToken);

    /// <summary>Decodes the finished latent of <paramref name="finalCheckpoint"/> to an image file in the spec's format and quality.</summary>
    Task<byte[]> DecodeAsync(GenerationSettings spec, ReadOnlyMemory<byte> finalCheckpoint, CancellationToken cancellationToken);

    /// <summary>
    /// A small JPEG of what the sampler predicts at <paramref name="checkpoint"/>'s step (its x0 estimate; no model run: a
    /// cheap projection of a latent), for live previews; null when this renderer cannot preview its checkpoints.
    /// </summary>
    byte[]? PreviewJpeg(GenerationSettings spec, ReadOnlyMemory<byte> checkpoint) => null;
}

/// <summary>
/// One Denoise call: at most <paramref name="MaxSteps"/> sampler steps of <paramref name="Spec"/> from
/// <paramref name="Checkpoint"/> (the seed's start when null), stopping early once <paramref name="TimeBudget"/> is used.
/// </summary>
/// <param name="Conditioning">The serialized text conditioning EncodePromptAsync returned.</param>
/// <param name="SaveCheckpoint">Stores a serialized state and the step it reached; awaited before the next step.</param>
internal sealed record DenoiseChunkRequest(
    GenerationSettings Spec,
    ReadOnlyMemory<byte> Conditioning,
    ReadOnlyMemory<byte>? Checkpoint,
    int MaxSteps,
    TimeSpan TimeBudget,
    Func<ReadOnlyMemory<byte>, int, CancellationToken, Task> SaveCheckpoint)
{
    /// <summary>The decoded input of image-to-image and inpainting; null for text-to-image.</summary>
    public SourceImage? Source { get; init; }
}

/// <summary>The checked input of image-to-image (<see cref="Image"/>) and of inpainting (with <see cref="Mask"/>), at the spec's size.</summary>
internal sealed record SourceImage(InputImage Image, InputImageMask? Mask);

/// <summary>What one Denoise call reached: the serialized sampler state after <see cref="Step"/> steps.</summary>
internal sealed record DenoiseChunk(ReadOnlyMemory<byte> Checkpoint, int Step, int TotalSteps)
{
    public bool IsCompleted => Step >= TotalSteps;
}

/// <summary>Defaults and constraints of the loaded model.</summary>
/// <param name="FixedSize">True when the model renders only <see cref="Width"/> x <see cref="Height"/>.</param>
internal sealed record ModelDefaults(int Width, int Height, int Steps, float Guidance, string Sampler, bool FixedSize);
