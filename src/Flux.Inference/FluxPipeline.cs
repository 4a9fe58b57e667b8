using Flux.Inference.Packages;
using Flux.Inference.Sessions;
using Flux.Inference.Stages;
using Flux.Inference.Tensors;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Flux.Inference;

/// <summary>
/// Prompts -> PNGs with a FLUX model package: CLIP + T5, the rectified-flow sampler over the transformer
/// (IOBinding, nothing allocated per step), the VAE, PNG. Offers the whole run
/// (<see cref="Generate"/>) and the stages the durable activities call one by one
/// (<see cref="EncodePrompt"/>, <see cref="DenoiseAsync"/>, <see cref="DecodeToPng"/>). Thread-safe: sessions
/// are shared, every call owns its buffers.
/// </summary>
public sealed partial class FluxPipeline : IDisposable
{
    private readonly SessionCache _cache;
    private readonly InferenceOptions _options;
    private readonly ILogger _logger;
    private readonly Lock _sync = new();
    private readonly Dictionary<ModelComponent, SessionLease> _resident = [];
    private readonly ExactLengthPool<byte> _pixels = new();   // (H, W, 3) images, back from GeneratedImage.Dispose
    private readonly ExactLengthPool<float> _states = new();   // (B, L, 64) sampler states of Generate
    private readonly IPromptTokenizer _tokenizer;
    private bool _disposed;

    public FluxPipeline(ModelPackage package, InferenceOptions? options = null, ILogger? logger = null, SessionCache? cache = null, IPromptTokenizer? tokenizer = null)
    {
        ArgumentNullException.ThrowIfNull(package);
        Package = package;
        _options = options ?? new InferenceOptions();
        _options.Validate();
        _logger = logger ?? NullLogger.Instance;
        _cache = cache ?? SessionCache.Shared;
        _tokenizer = tokenizer ?? PackageTokenizer.Load(package);
    }

    /// <summary>
    /// Opens and validates the package at <paramref name="directory"/>, then builds a pipeline over it
    /// (warmed up when <see cref="InferenceOptions.WarmUp"/> is set).
    /// </summary>
    public static FluxPipeline Open(string directory, InferenceOptions? options = null, ILogger? logger = null, SessionCache? cache = null)
    {
        options ??= new InferenceOptions();
        var pipeline = new FluxPipeline(ModelPackage.Open(directory, options, cache, logger), options, logger, cache);
        if (options.WarmUp)
        {
            pipeline.WarmUp();
        }

        return pipeline;
    }

    public ModelPackage Package { get; }

    /// <summary>Encodes one prompt (B = 1).</summary>
    public TextConditioning EncodePrompt(string prompt, CancellationToken cancellationToken = default) =>
        EncodePrompts([prompt], cancellationToken);

    /// <summary>Encodes a batch of prompts with CLIP and T5 (each prompt goes to both).</summary>
    public TextConditioning EncodePrompts(IReadOnlyList<string> prompts, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prompts);
        ArgumentOutOfRangeException.ThrowIfZero(prompts.Count);
        return Encode(prompts, prompts, cancellationToken);
    }

    /// <summary>
    /// The conditioning <see cref="DenoiseAsync"/> takes for <paramref name="settings"/>: B = 1, or B = 2 rows
    /// [positive, negative] when <see cref="GenerationSettings.UsesTrueCfg"/>. As diffusers' FluxPipeline does
    /// (pipeline_flux.py, <c>encode_prompt</c>: <c>prompt_2 = prompt_2 or prompt</c>; <c>__call__</c> encodes
    /// <c>negative_prompt</c> the same way, its <c>negative_prompt_2</c> defaulting to it): CLIP gets
    /// <see cref="GenerationSettings.Prompt"/>, T5 gets <see cref="GenerationSettings.Prompt2"/> ?? Prompt; the
    /// negative row gets <see cref="GenerationSettings.NegativePrompt"/> in both.
    /// </summary>
    public TextConditioning EncodeConditioning(GenerationSettings settings, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return EncodeConditionings([settings], cancellationToken);
    }

    /// <summary>
    /// One encoder pass for a batch: rows [positive 0..B-1] or, with true CFG, [positive 0..B-1, negative 0..B-1],
    /// the layout <see cref="Flux.Core.TrueCfgVelocityModel"/> evaluates. Row b equals <see cref="EncodeConditioning"/>
    /// of batch[b] (its positive row, and its negative row at B + b).
    /// </summary>
    internal TextConditioning EncodeConditionings(IReadOnlyList<GenerationSettings> batch, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfZero(batch.Count);
        foreach (var settings in batch)
        {
            if (settings.Prompt is null)
            {
                throw new InvalidGenerationSettingsException("prompt", "prompt is required");
            }
        }

        var clip = batch.Select(s => s.Prompt).ToList();
        var t5 = batch.Select(s => s.Prompt2 ?? s.Prompt).ToList();
        if (batch[0].UsesTrueCfg)
        {
            var negatives = batch.Select(s => s.NegativePrompt ?? throw new InvalidGenerationSettingsException("negativePrompt", "every image of a true CFG batch needs a negative prompt")).ToList();
            clip.AddRange(negatives);
            t5.AddRange(negatives);
        }

        return Encode(clip, t5, cancellationToken);
    }

    private TextConditioning Encode(IReadOnlyList<string> clipPrompts, IReadOnlyList<string> t5Prompts, CancellationToken cancellationToken)
    {
        if (clipPrompts.Any(p => p is null) || t5Prompts.Any(p => p is null))
        {
            throw new InvalidGenerationSettingsException("prompt", "prompt is required");
        }

        return TextEncoding.Encode(clipPrompts, t5Prompts, _tokenizer, Package, component =>
        {
            var lease = Stage(component, out var session);
            return (session, lease);
        }, cancellationToken);
    }

    public void Dispose()
    {
        lock (_sync)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            foreach (var lease in _resident.Values)
            {
                lease.Dispose();
            }

            _resident.Clear();
        }
    }

    /// <summary>
    /// The session for a stage. Resident: held until the pipeline is disposed (returns null to dispose).
    /// Sequential: a lease the caller disposes at the end of the stage, which releases the session.
    /// </summary>
    private SessionLease? Stage(ModelComponent component, out ModelSession session)
    {
        string file = Package.Io[component].ModelFile;
        var options = _options.For(component);
        if (_options.MemoryMode == MemoryMode.Sequential)
        {
            var lease = _cache.Acquire(file, options, _logger, releaseWhenUnused: true, captureCudaGraph: component == ModelComponent.Transformer);
            session = lease.Session;
            return lease;
        }

        lock (_sync)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (!_resident.TryGetValue(component, out var held))
            {
                held = _cache.Acquire(file, options, _logger, captureCudaGraph: component == ModelComponent.Transformer);
                _resident.Add(component, held);
            }

            session = held.Session;
            return null;
        }
    }
}
