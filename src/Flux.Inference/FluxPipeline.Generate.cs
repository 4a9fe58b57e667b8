using Flux.Core;
using Flux.Inference.Imaging;
using Flux.Inference.Packages;
using Flux.Inference.Stages;

namespace Flux.Inference;

/// <summary>Hooks for a whole run: resume, checkpoints, progress and previews.</summary>
public sealed class GenerateOptions
{
    /// <summary>Continue from this state (shape (B, L, 64) of the same batch) instead of the initial noise.</summary>
    public SamplerCheckpoint? ResumeFrom { get; init; }

    /// <summary>Receives the sampler state every <see cref="CheckpointInterval"/> steps and after the last step.</summary>
    public Action<SamplerCheckpoint>? OnCheckpoint { get; init; }

    public int CheckpointInterval { get; init; } = 1;

    /// <summary>Called synchronously after every step, on the sampling thread.</summary>
    public IProgress<DenoiseProgress>? Progress { get; init; }

    /// <summary>Attach a preview every N steps (0 = never).</summary>
    public int PreviewInterval { get; init; }

    /// <summary>The input image the whole batch starts from (see <see cref="DenoiseRequest.Image"/>); required exactly when the settings name one.</summary>
    public InputImage? Image { get; init; }

    /// <summary>The inpainting mask of the whole batch (see <see cref="DenoiseRequest.Mask"/>); required exactly when the settings name one.</summary>
    public InputImageMask? Mask { get; init; }
}

/// <summary>
/// One generated image: its settings and its pixels (H, W, 3). The file (<see cref="Encoded"/> in the settings' format, or
/// <see cref="Png"/>; parameters in the format's metadata) is encoded on first use, not by <see cref="FluxPipeline.Generate(IReadOnlyList{GenerationSettings}, GenerateOptions?, CancellationToken)"/>:
/// serialization is a per-pixel cost that callers schedule themselves (in parallel, or overlapped with the next
/// generation), and callers that need only the pixels never pay for it.
/// </summary>
/// <remarks>
/// Disposing hands the pixel buffer back to the pipeline for its next image (warm memory instead of a fresh
/// allocation); afterwards <see cref="Rgb"/> throws, and <see cref="Png"/> works only if it was encoded before.
/// An image that is never disposed is simply collected.
/// </remarks>
public sealed class GeneratedImage : IDisposable
{
    private readonly Lock _sync = new();
    private readonly string _modelName;
    private readonly Action<byte[]>? _release;
    private byte[]? _rgb;
    private byte[]? _png;
    private byte[]? _encoded;

    internal GeneratedImage(GenerationSettings settings, byte[] rgb, string modelName, Action<byte[]>? release = null)
    {
        Settings = settings;
        _rgb = rgb;
        _modelName = modelName;
        _release = release;
    }

    public GenerationSettings Settings { get; }

    /// <summary>(H, W, 3) row-major RGB bytes, until the image is disposed.</summary>
    public byte[] Rgb => _rgb ?? throw new ObjectDisposedException(nameof(GeneratedImage), "the image's pixels were released by Dispose");

    /// <summary>The PNG bytes, encoded once on first access (thread-safe).</summary>
    public byte[] Png
    {
        get
        {
            lock (_sync)
            {
                return _png ??= PngEncoding.Encode(Rgb, Settings.Width, Settings.Height, Settings.PngText(_modelName));
            }
        }
    }

    /// <summary>
    /// The image in <see cref="GenerationSettings.OutputFormat"/> at <see cref="GenerationSettings.Quality"/>, with
    /// <see cref="GenerationSettings.PngText"/> as its metadata; encoded once on first access (thread-safe).
    /// </summary>
    public byte[] Encoded
    {
        get
        {
            lock (_sync)
            {
                return _encoded ??= Settings.OutputFormat == ImageFormat.Png ? Png : Encode([]);
            }
        }
    }

    /// <summary>
    /// Encodes the pixels in <see cref="GenerationSettings.OutputFormat"/> at <see cref="GenerationSettings.Quality"/>, with the
    /// settings' metadata followed by <paramref name="extraMetadata"/> (e.g. the CLI's provider); not cached.
    /// </summary>
    public byte[] Encode(IEnumerable<KeyValuePair<string, string>> extraMetadata)
    {
        ArgumentNullException.ThrowIfNull(extraMetadata);
        IReadOnlyList<KeyValuePair<string, string>> parameters = [.. Settings.PngText(_modelName), .. extraMetadata];
        return ImageEncoding.Encode(Rgb, Settings.Width, Settings.Height, parameters, Settings.OutputFormat, Settings.Quality);
    }

    /// <summary>
    /// Writes <see cref="Encoded"/> to <paramref name="path"/> atomically: a temporary file, then a rename. A file name
    /// whose extension says another format (JPEG bytes in a .png) is refused.
    /// </summary>
    public void Save(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (ImageFormats.FromExtension(path) is { } implied && implied != Settings.OutputFormat)
        {
            throw new ArgumentException($"'{path}' is a {implied.Name()} file name but the settings ask for {Settings.OutputFormat.Name()}", nameof(path));
        }

        AtomicFile.WriteAllBytes(path, Encoded);
    }

    public void Dispose()
    {
        byte[]? rgb;
        lock (_sync)
        {
            (rgb, _rgb) = (_rgb, null);
        }

        if (rgb is not null)
        {
            _release?.Invoke(rgb);
        }
    }
}

public sealed partial class FluxPipeline
{
    /// <summary>
    /// Generates a batch in one pass through each stage; image i equals a single run of batch[i] (its
    /// <see cref="EncodeConditioning"/> and <see cref="DenoiseAsync"/>, with the options' image and mask).
    /// </summary>
    public IReadOnlyList<GeneratedImage> Generate(IReadOnlyList<GenerationSettings> batch, GenerateOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new GenerateOptions();
        var first = ValidateBatch(batch);
        CheckInputImages(first, options.Image, options.Mask);   // before the encoders run
        var conditioning = EncodeConditionings(batch, cancellationToken);
        var onCheckpoint = options.OnCheckpoint;
        var request = new DenoiseRequest(conditioning, first)
        {
            ResumeFrom = options.ResumeFrom,
            CheckpointInterval = options.CheckpointInterval,
            OnCheckpoint = onCheckpoint is null ? null : (state, _) =>
            {
                onCheckpoint(state);
                return ValueTask.CompletedTask;
            },
            Progress = options.Progress,
            PreviewInterval = options.PreviewInterval,
            Image = options.Image,
            Mask = options.Mask,
        };

        // The sampler state and workspace never leave this call (checkpoints get copies): they come from and go back to
        // the pool. With synchronous hooks the loop never yields, so waiting on it here blocks no other work.
        var result = DenoiseBatchAsync(request, batch, _states, cancellationToken).GetAwaiter().GetResult();
        onCheckpoint?.Invoke(new SamplerCheckpoint(result.Shape, result.Step, result.TotalSteps, result.ScheduleFingerprint, (float[])result.Latents.Clone()));
        byte[][] rgb;
        try
        {
            rgb = DecodeRgb(result.Latents, first.Size, batch.Count, cancellationToken);
        }
        finally
        {
            _states.Return(result.Latents);
        }

        return batch.Select((s, i) => Image(s, rgb[i])).ToList();
    }

    /// <summary>Generates one image.</summary>
    public GeneratedImage Generate(GenerationSettings settings, GenerateOptions? options = null, CancellationToken cancellationToken = default) =>
        Generate([settings], options, cancellationToken)[0];

    /// <summary>Decodes a finished single-image state (1, L, 64) to PNG bytes with the settings in tEXt chunks.</summary>
    public byte[] DecodeToPng(SamplerCheckpoint finished, GenerationSettings settings, CancellationToken cancellationToken = default)
    {
        using var image = Decode(finished, settings, cancellationToken);
        return image.Png;
    }

    /// <summary>Decodes a finished single-image state (1, L, 64) to its pixels; the PNG is encoded on first use.</summary>
    public GeneratedImage Decode(SamplerCheckpoint finished, GenerationSettings settings, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(finished);
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate(Package);
        if (!finished.IsCompleted)
        {
            throw new ArgumentException($"the sampler state is at step {finished.Step} of {finished.TotalSteps}; only a finished state can be decoded", nameof(finished));
        }

        finished.EnsureCompatible([1, settings.Size.SequenceLength, FluxConstants.PackedChannels], settings.Steps, finished.ScheduleFingerprint);
        return Image(settings, DecodeRgb(finished.Latents, settings.Size, 1, cancellationToken)[0]);
    }

    /// <summary>Runs every session once on the smallest valid inputs, so the first real request is not slowed by lazy initialization.</summary>
    public void WarmUp(CancellationToken cancellationToken = default)
    {
        var settings = GenerationSettings.Defaults(Package, string.Empty) with
        {
            Width = Package.FixedWidth ?? FluxConstants.SizeMultiple * 4,
            Height = Package.FixedHeight ?? FluxConstants.SizeMultiple * 4,
            Steps = 1,
        };
        long start = System.Diagnostics.Stopwatch.GetTimestamp();
        _ = Generate(settings, null, cancellationToken);
        Log.WarmedUp(_logger, Package.Directory, (long)System.Diagnostics.Stopwatch.GetElapsedTime(start).TotalMilliseconds);
    }

    private GeneratedImage Image(GenerationSettings settings, byte[] rgb) => new(settings, rgb, Package.Name, _pixels.Return);

    private byte[][] DecodeRgb(ReadOnlySpan<float> packed, ImageSize size, int batch, CancellationToken cancellationToken)
    {
        using (Stage(ModelComponent.VaeDecoder, out var vae))
        {
            return VaeDecoding.Decode(vae, Package.Io.Vae, packed, size, batch, Package.VaeScale, Package.VaeShift, _pixels.Rent, cancellationToken);
        }
    }
}
