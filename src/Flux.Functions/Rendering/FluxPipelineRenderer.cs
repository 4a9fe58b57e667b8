using System.Security.Cryptography;
using System.Text;
using Flux.Core;
using Flux.Inference;
using Flux.Inference.Imaging;
using Flux.Inference.Stages;

namespace Flux.Functions.Rendering;

/// <summary>
/// <see cref="IImageRenderer"/> over Flux.Inference's <see cref="FluxPipeline"/> stage API: conditioning
/// is <see cref="TextConditioning"/>'s serialized form, checkpoints are Flux.Core's
/// <see cref="SamplerCheckpoint"/> format. The pipeline's own loop saves a checkpoint and checks the time
/// budget every K = CheckpointEverySteps steps, over one transformer session per call. Errors no retry can fix (bad
/// settings, a checkpoint of another shape or schedule) become <see cref="InvalidRenderInputException"/>.
/// </summary>
internal sealed class FluxPipelineRenderer : IImageRenderer, IDisposable
{
    private const int ModelIdHashHexLength = 16;
    private readonly FluxPipeline _pipeline;
    private readonly int _checkpointEvery;

    /// <param name="pipeline">Owned: disposed with the renderer (its sessions live as long as the process).</param>
    public FluxPipelineRenderer(FluxPipeline pipeline, int checkpointEverySteps)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(checkpointEverySteps);
        _pipeline = pipeline;
        _checkpointEvery = checkpointEverySteps;
        var package = pipeline.Package;
        ModelId = $"{package.Name}-{PackageFingerprint(package.Directory)}";
        var defaults = GenerationSettings.Defaults(package, prompt: string.Empty);
        Defaults = new ModelDefaults(
            defaults.Width, defaults.Height, defaults.Steps, defaults.Guidance, defaults.Sampler,
            FixedSize: package.FixedWidth is not null || package.FixedHeight is not null);
    }

    public string ModelId { get; }

    public ModelDefaults Defaults { get; }

    public FluxPipeline Pipeline => _pipeline;

    public Task<byte[]> EncodePromptAsync(GenerationSettings spec, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var conditioning = Translate(() => _pipeline.EncodeConditioning(spec, cancellationToken));
        using var buffer = new MemoryStream();
        conditioning.WriteTo(buffer);
        return Task.FromResult(buffer.ToArray());
    }

    public async Task<DenoiseChunk> DenoiseAsync(DenoiseChunkRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (spec, conditioning, checkpoint, maxSteps, timeBudget, saveCheckpoint) = request;
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(saveCheckpoint);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxSteps);
        var text = Translate(() => TextConditioning.ReadFrom(new MemoryStream(conditioning.ToArray(), writable: false)));
        bool saving = false;   // what the store throws is not the caller's input, whatever its type
        var denoise = new DenoiseRequest(text, spec)
        {
            ResumeFrom = checkpoint is { } saved ? ReadCheckpoint(saved) : null,
            Image = request.Source?.Image,
            Mask = request.Source?.Mask,
            MaxSteps = maxSteps,
            CheckpointInterval = _checkpointEvery,
            PreviewInCheckpoints = true,
            OnCheckpoint = async (state, ct) =>
            {
                saving = true;
                await saveCheckpoint(WriteCheckpoint(state), state.Step, ct).ConfigureAwait(false);
                saving = false;
            },
            TimeBudget = timeBudget,
        };

        try
        {
            var reached = await _pipeline.DenoiseAsync(denoise, cancellationToken).ConfigureAwait(false);
            return new DenoiseChunk(WriteCheckpoint(reached), reached.Step, reached.TotalSteps);
        }
        catch (Exception e) when (!saving && IsInvalidInput(e))
        {
            throw new InvalidRenderInputException(e.Message, e);
        }
    }

    /// <summary>The finished image in the spec's format and quality, parameters in its metadata (the pipeline's own encoding).</summary>
    public Task<byte[]> DecodeAsync(GenerationSettings spec, ReadOnlyMemory<byte> finalCheckpoint, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var state = ReadCheckpoint(finalCheckpoint);
        return Task.FromResult(Translate(() =>
        {
            using var image = _pipeline.Decode(state, spec, cancellationToken);
            return image.Encoded;
        }));
    }

    /// <summary>Quality of preview JPEGs: they are (W/8) x (H/8) sketches, polled while an image renders.</summary>
    public const int PreviewQuality = 80;

    /// <summary>
    /// A (W/8) x (H/8) JPEG of what the sampler predicts at the checkpoint's step: the preview the checkpoint carries
    /// (<see cref="SamplerCheckpoint.PreviewRgb"/>, Flux.Core's <see cref="LatentPreview"/> of the x0 estimate x - t*v of the
    /// last step run, as the CLI's --preview shows). A checkpoint without one (written before version 2, or the start of
    /// an image-to-image run of strength 0) shows its latent x_t through the same projection instead.
    /// </summary>
    public byte[]? PreviewJpeg(GenerationSettings spec, ReadOnlyMemory<byte> checkpoint)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var state = ReadCheckpoint(checkpoint);
        var size = spec.Size;
        if (state.Latents.Length < size.PackedLength)
        {
            throw new InvalidRenderInputException($"checkpoint of {state.Latents.Length} values does not hold an image of {size}");
        }

        int rgbLength = LatentPreview.RgbLength(size);   // (H/8, W/8, 3) of image 0
        byte[] rgb = state.PreviewRgb ?? new byte[rgbLength];
        if (state.PreviewRgb is null)
        {
            LatentPreview.ToRgb(state.Latents.AsSpan(0, size.PackedLength), size, rgb);
        }

        return ImageEncoding.Encode(rgb.AsSpan(0, rgbLength), size.LatentWidth, size.LatentHeight, [], ImageFormat.Jpeg, PreviewQuality);
    }

    public void Dispose() => _pipeline.Dispose();

    private static SamplerCheckpoint ReadCheckpoint(ReadOnlyMemory<byte> bytes)
        => Translate(() => SamplerCheckpoint.ReadFrom(new MemoryStream(bytes.ToArray(), writable: false)));

    private static byte[] WriteCheckpoint(SamplerCheckpoint state)
    {
        using var buffer = new MemoryStream();
        state.WriteTo(buffer);
        return buffer.ToArray();
    }

    /// <summary>Settings and checkpoint errors are the caller's input: no retry will fix them.</summary>
    private static T Translate<T>(Func<T> stage)
    {
        try
        {
            return stage();
        }
        catch (Exception e) when (IsInvalidInput(e))
        {
            throw new InvalidRenderInputException(e.Message, e);
        }
    }

    /// <summary>
    /// Bad settings, a checkpoint of another shape or schedule, the pipeline's own argument checks (an unfinished state handed
    /// to the decoder, ...). Not a checkpoint from a newer build: met by an old worker during a rolling upgrade, it stays a
    /// failure the activity retries, and an upgraded worker reads it.
    /// </summary>
    private static bool IsInvalidInput(Exception e) =>
        e is InvalidGenerationSettingsException or ArgumentException or CheckpointException { Failure: not CheckpointFailure.NewerVersion };

    /// <summary>
    /// Names the weights in the conditioning cache key: a hash of every file's path, length and
    /// write time, so replacing the model never reuses encodings of the old one.
    /// </summary>
    private static string PackageFingerprint(string directory)
    {
        var text = new StringBuilder();
        foreach (var file in new DirectoryInfo(directory).EnumerateFiles("*", SearchOption.AllDirectories).OrderBy(f => f.FullName, StringComparer.Ordinal))
        {
            text.Append(Path.GetRelativePath(directory, file.FullName)).Append('|').Append(file.Length).Append('|')
                .Append(file.LastWriteTimeUtc.Ticks).Append('\n');
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())))[..ModelIdHashHexLength];
    }
}
