using System.Buffers;
using System.Diagnostics;
using Flux.Core;
using Flux.Inference.Packages;
using Flux.Inference.Imaging;
using Flux.Inference.Stages;
using Flux.Inference.Tensors;

namespace Flux.Inference;

public sealed partial class FluxPipeline
{
    /// <summary>
    /// Runs sampler steps for one image (B = 1) as <paramref name="request"/> says: from its checkpoint (or the
    /// start of (seed, image index): the initial noise, or for image-to-image the input image's latent noised to
    /// the first kept step) for at most <see cref="DenoiseRequest.MaxSteps"/> steps, awaiting
    /// <see cref="DenoiseRequest.OnCheckpoint"/> and checking the time budget every
    /// <see cref="DenoiseRequest.CheckpointInterval"/> steps. The transformer session is acquired once for the
    /// whole call (in <see cref="MemoryMode.Sequential"/> it is loaded once, not per checkpoint interval).
    /// True CFG runs the conditioning's two rows as one transformer batch of 2 per evaluation; inpainting resets
    /// the latent outside the mask after every step. Resuming from any checkpoint gives bit-identical results to
    /// an uninterrupted run: everything besides the state is recomputed from the settings and the input image.
    /// </summary>
    /// <returns>The state reached; <see cref="SamplerCheckpoint.IsCompleted"/> once every step has run.</returns>
    public async Task<SamplerCheckpoint> DenoiseAsync(DenoiseRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(request.Conditioning);
        ArgumentNullException.ThrowIfNull(request.Settings);
        return await DenoiseBatchAsync(request, [request.Settings], statePool: null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The one sampling loop of the pipeline (Generate and DenoiseAsync both run it): chunks of
    /// CheckpointInterval steps over one transformer session, a checkpoint and a time-budget check between them.
    /// </summary>
    private async Task<SamplerCheckpoint> DenoiseBatchAsync(
        DenoiseRequest request, IReadOnlyList<GenerationSettings> batch, ExactLengthPool<float>? statePool, CancellationToken cancellationToken)
    {
        var first = ValidateBatch(batch);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(request.MaxSteps);
        ArgumentOutOfRangeException.ThrowIfNegative(request.CheckpointInterval);
        CheckConditioning(request.Conditioning, first, batch.Count);
        CheckInputImages(first, request.Image, request.Mask);
        var size = first.Size;
        var sampler = Samplers.Parse(first.Sampler);
        double[] timesteps = Schedule.Flux(first.Steps, size.SequenceLength, Package.Shift);   // the full schedule, whatever the strength
        ulong fingerprint = Schedule.Fingerprint(timesteps);
        int firstStep = ImageToImage.StartStep(first.Steps, first.Strength);   // 0 for text-to-image (strength 1)
        int[] shape = [batch.Count, size.SequenceLength, FluxConstants.PackedChannels];   // (B, L, 64)

        // The input's latent is needed to start image-to-image and, on every call, to blend an inpainting.
        float[]? imageLatent = request.Image is { } image && (request.ResumeFrom is null || request.Mask is not null)
            ? EncodeImage(image, size, cancellationToken)
            : null;
        float[] x;
        float[]? noise = null;
        int start;
        if (request.ResumeFrom is not { } resumeFrom)
        {
            x = InitialNoise(batch, size, statePool);
            start = firstStep;
            if (request.Mask is not null)
            {
                noise = (float[])x.Clone();
            }

            if (imageLatent is not null)
            {
                StartFromImage(x, imageLatent, timesteps[start], batch.Count, size);
            }
        }
        else
        {
            resumeFrom.EnsureCompatible(shape, first.Steps, fingerprint);
            if (resumeFrom.Step < firstStep)
            {
                throw new CheckpointException(CheckpointFailure.ScheduleMismatch,
                    $"checkpoint is at step {resumeFrom.Step} but strength {first.Strength} starts this run at step {firstStep} of {first.Steps}");
            }

            x = statePool?.Rent(resumeFrom.Latents.Length) ?? new float[resumeFrom.Latents.Length];
            resumeFrom.Latents.CopyTo(x, 0);
            start = resumeFrom.Step;
            if (request.Mask is not null)
            {
                noise = InitialNoise(batch, size, pool: null);
            }
        }

        var inpainting = request.Mask is { } mask ? new InpaintingBlend(imageLatent!, noise!, Inpainting.PackedMask(RepaintLuminance(mask), size), batch.Count) : null;
        int end = (int)Math.Min(first.Steps, (long)start + request.MaxSteps);
        int reached = start;
        byte[]? preview = request.PreviewInCheckpoints ? request.ResumeFrom?.PreviewRgb : null;   // kept when no step runs
        if (start < end)
        {
            long clock = Stopwatch.GetTimestamp();
            float[] guidance = batch.Select(s => s.Guidance).ToArray();   // (B)
            using (Stage(ModelComponent.Transformer, out var transformer))
            using (var transformerModel = new TransformerVelocityModel(transformer, Package.Io.Transformer, request.Conditioning, size,
                first.UsesTrueCfg ? [.. guidance, .. guidance] : guidance, cancellationToken))   // (B) or (2B)
            {
                IVelocityModel model = first.UsesTrueCfg ? new TrueCfgVelocityModel(transformerModel, first.TrueCfgScale, x.Length) : transformerModel;
                var workspace = statePool is null ? new SamplerWorkspace(x.Length) : new SamplerWorkspace(statePool.Rent(x.Length));
                DenoiseObserver? observer = request.Progress is null ? null : new ProgressObserver(request.Progress, size, request.PreviewInterval);
                var checkpointPreview = request.PreviewInCheckpoints ? new CheckpointPreview(observer, size, batch.Count) : null;
                observer = checkpointPreview ?? observer;
                int interval = request.CheckpointInterval > 0 ? request.CheckpointInterval : end - start;
                try
                {
                    while (reached < end)
                    {
                        int chunkEnd = Math.Min(end, reached + interval);
                        checkpointPreview?.TakeAt(chunkEnd - 1);
                        RunSteps(model, x, timesteps, sampler, reached, chunkEnd, observer, workspace, inpainting, cancellationToken);
                        reached = chunkEnd;
                        bool outOfTime = request.TimeBudget != Timeout.InfiniteTimeSpan && Stopwatch.GetElapsedTime(clock) >= request.TimeBudget;
                        if (reached == end || outOfTime)
                        {
                            break;
                        }

                        if (request.OnCheckpoint is { } onCheckpoint)
                        {
                            await onCheckpoint(new SamplerCheckpoint(shape, reached, first.Steps, fingerprint, (float[])x.Clone()) { PreviewRgb = checkpointPreview?.Rgb }, cancellationToken).ConfigureAwait(false);
                        }
                    }
                }
                finally
                {
                    statePool?.Return(workspace.FirstVelocityBuffer);
                }

                preview = checkpointPreview?.Rgb;
            }

            Log.Denoised(_logger, start, reached, first.Steps);
        }

        return new SamplerCheckpoint(shape, reached, first.Steps, fingerprint, x) { PreviewRgb = preview };
    }

    /// <summary>
    /// Steps [from, to); with inpainting one at a time, each followed by the blend at the step's new time, as the body of
    /// FluxInpaintPipeline.__call__'s denoising loop does right after <c>scheduler.step</c> (pipeline_flux_inpaint.py).
    /// </summary>
    private static void RunSteps(IVelocityModel model, float[] x, double[] timesteps, ISampler sampler, int from, int to,
        DenoiseObserver? observer, SamplerWorkspace workspace, InpaintingBlend? inpainting, CancellationToken cancellationToken)
    {
        if (inpainting is null)
        {
            Denoiser.Run(model, x, timesteps, sampler, from, to, observer, workspace, cancellationToken);
            return;
        }

        for (int i = from; i < to; i++)
        {
            Denoiser.Run(model, x, timesteps, sampler, i, i + 1, observer, workspace, cancellationToken);
            inpainting.Apply(x, timesteps[i + 1]);
        }
    }

    /// <summary>True CFG takes rows [positive 0..B-1, negative 0..B-1] (<see cref="EncodeConditioning"/>), a plain run one row per image.</summary>
    private static void CheckConditioning(TextConditioning conditioning, GenerationSettings first, int images)
    {
        ArgumentNullException.ThrowIfNull(conditioning);
        int rows = first.UsesTrueCfg ? 2 * images : images;
        if (conditioning.BatchSize != rows)
        {
            throw new ArgumentException(first.UsesTrueCfg
                ? $"true CFG (trueCfgScale {first.TrueCfgScale} with a negative prompt) needs {rows} conditioning rows, positive then negative (EncodeConditioning), not {conditioning.BatchSize}"
                : $"the conditioning has {conditioning.BatchSize} rows but {images} image(s) without true CFG need {rows} (EncodeConditioning)", nameof(conditioning));
        }
    }

    /// <summary>Standard normal noise for each image from (seed, image index), packed: (B, L, 64).</summary>
    private static float[] InitialNoise(IReadOnlyList<GenerationSettings> batch, ImageSize size, ExactLengthPool<float>? pool)
    {
        int length = batch.Count * size.PackedLength;
        float[] packed = pool?.Rent(length) ?? GC.AllocateUninitializedArray<float>(length);   // every image is packed into it below
        float[] rented = ArrayPool<float>.Shared.Rent(size.LatentLength);
        try
        {
            var latent = rented.AsSpan(0, size.LatentLength);   // (16, H/8, W/8)
            for (int b = 0; b < batch.Count; b++)
            {
                PhiloxNoise.Fill(unchecked((ulong)batch[b].Seed), batch[b].ImageIndex, latent);
                LatentLayout.Pack(latent, packed.AsSpan(b * size.PackedLength, size.PackedLength), size);
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(rented);
        }

        return packed;
    }

    /// <summary>Validates every item; a batch shares size, steps and sampler (prompts, seeds, indices, guidance may differ).</summary>
    private GenerationSettings ValidateBatch(IReadOnlyList<GenerationSettings> batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentOutOfRangeException.ThrowIfZero(batch.Count);
        foreach (var item in batch)
        {
            item.Validate(Package);
        }

        var first = batch[0];
        if (batch.Any(s => s.Width != first.Width || s.Height != first.Height || s.Steps != first.Steps
            || !string.Equals(s.Sampler, first.Sampler, StringComparison.OrdinalIgnoreCase)))
        {
            throw new InvalidGenerationSettingsException("batch", "every image of a batch must have the same width, height, steps and sampler");
        }

        // One velocity model and one input image serve the whole batch.
        if (batch.Any(s => s.UsesTrueCfg != first.UsesTrueCfg || s.TrueCfgScale != first.TrueCfgScale || s.Strength != first.Strength
            || !string.Equals(s.Image, first.Image, StringComparison.Ordinal) || !string.Equals(s.Mask, first.Mask, StringComparison.Ordinal)))
        {
            throw new InvalidGenerationSettingsException("batch", "every image of a batch must have the same trueCfgScale (and negative prompt use), image, strength and mask");
        }

        return first;
    }
}
