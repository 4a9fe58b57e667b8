using System.Buffers;
using Flux.Core;
using Flux.Inference.Packages;
using Flux.Inference.Stages;
using Flux.Inference.Tensors;

namespace Flux.Inference;

public sealed partial class FluxPipeline
{
    /// <summary>
    /// Runs sampler steps for one image (B = 1): from <paramref name="resumeFrom"/> (or the initial noise of
    /// (seed, image index)) for at most <paramref name="maxSteps"/> steps, handing a checkpoint to
    /// <paramref name="checkpointEveryK"/> every <paramref name="checkpointInterval"/> steps. Resuming from
    /// any checkpoint gives bit-identical results to an uninterrupted run.
    /// </summary>
    public DenoiseResult Denoise(
        TextConditioning conditioning,
        GenerationSettings settings,
        SamplerCheckpoint? resumeFrom,
        int maxSteps,
        Action<SamplerCheckpoint>? checkpointEveryK,
        int checkpointInterval,
        IProgress<DenoiseProgress>? progress,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(conditioning);
        ArgumentNullException.ThrowIfNull(settings);
        if (conditioning.BatchSize != 1)
        {
            throw new ArgumentException($"Denoise takes the conditioning of one prompt, not {conditioning.BatchSize}", nameof(conditioning));
        }

        return DenoiseBatch(conditioning, [settings], resumeFrom, maxSteps, checkpointEveryK, checkpointInterval, progress, previewInterval: 0, cancellationToken);
    }

    private DenoiseResult DenoiseBatch(
        TextConditioning conditioning,
        IReadOnlyList<GenerationSettings> batch,
        SamplerCheckpoint? resumeFrom,
        int maxSteps,
        Action<SamplerCheckpoint>? onCheckpoint,
        int checkpointInterval,
        IProgress<DenoiseProgress>? progress,
        int previewInterval,
        CancellationToken cancellationToken,
        ExactLengthPool<float>? statePool = null)
    {
        var first = ValidateBatch(batch);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxSteps);
        var size = first.Size;
        var sampler = Samplers.Parse(first.Sampler);
        double[] timesteps = Schedule.Flux(first.Steps, size.SequenceLength, Package.Shift);
        ulong fingerprint = Schedule.Fingerprint(timesteps);
        int[] shape = [batch.Count, size.SequenceLength, FluxConstants.PackedChannels];   // (B, L, 64)

        float[] x;
        int start;
        if (resumeFrom is null)
        {
            x = InitialNoise(batch, size, statePool);
            start = 0;
        }
        else
        {
            resumeFrom.EnsureCompatible(shape, first.Steps, fingerprint);
            x = statePool?.Rent(resumeFrom.Latents.Length) ?? new float[resumeFrom.Latents.Length];
            resumeFrom.Latents.CopyTo(x, 0);
            start = resumeFrom.StepIndex;
        }

        int end = (int)Math.Min(first.Steps, (long)start + maxSteps);
        if (start < end)
        {
            float[] guidance = batch.Select(s => s.Guidance).ToArray();   // (B)
            using (Stage(ModelComponent.Transformer, out var transformer))
            using (var model = new TransformerVelocityModel(transformer, Package.Io.Transformer, conditioning, size, guidance, cancellationToken))
            {
                var workspace = statePool is null ? new SamplerWorkspace(x.Length) : new SamplerWorkspace(statePool.Rent(x.Length));
                var observer = progress is null ? null : new ProgressObserver(progress, size, previewInterval);
                int interval = onCheckpoint is null || checkpointInterval <= 0 ? end - start : checkpointInterval;
                try
                {
                    for (int chunkStart = start; chunkStart < end; chunkStart += interval)
                    {
                        int chunkEnd = Math.Min(end, chunkStart + interval);
                        Denoiser.Run(model, x, timesteps, sampler, chunkStart, chunkEnd, observer, workspace, cancellationToken);
                        onCheckpoint?.Invoke(new SamplerCheckpoint(shape, chunkEnd, first.Steps, fingerprint, (float[])x.Clone()));
                    }
                }
                finally
                {
                    statePool?.Return(workspace.FirstVelocityBuffer);
                }
            }

            Log.Denoised(_logger, start, end, first.Steps);
        }

        return new DenoiseResult(new SamplerCheckpoint(shape, end, first.Steps, fingerprint, x), end, first.Steps);
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

        return first;
    }
}
