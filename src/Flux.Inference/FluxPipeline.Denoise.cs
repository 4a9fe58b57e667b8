using System.Buffers;
using System.Diagnostics;
using Flux.Core;
using Flux.Inference.Packages;
using Flux.Inference.Stages;
using Flux.Inference.Tensors;

namespace Flux.Inference;

public sealed partial class FluxPipeline
{
    /// <summary>
    /// Runs sampler steps for one image (B = 1) as <paramref name="request"/> says: from its checkpoint (or the
    /// initial noise of (seed, image index)) for at most <see cref="DenoiseRequest.MaxSteps"/> steps, awaiting
    /// <see cref="DenoiseRequest.OnCheckpoint"/> and checking the time budget every
    /// <see cref="DenoiseRequest.CheckpointInterval"/> steps. The transformer session is acquired once for the
    /// whole call (in <see cref="MemoryMode.Sequential"/> it is loaded once, not per checkpoint interval).
    /// Resuming from any checkpoint gives bit-identical results to an uninterrupted run.
    /// </summary>
    /// <returns>The state reached; <see cref="SamplerCheckpoint.IsCompleted"/> once every step has run.</returns>
    public async Task<SamplerCheckpoint> DenoiseAsync(DenoiseRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(request.Conditioning);
        ArgumentNullException.ThrowIfNull(request.Settings);
        if (request.Conditioning.BatchSize != 1)
        {
            throw new ArgumentException($"Denoise takes the conditioning of one prompt, not {request.Conditioning.BatchSize}", nameof(request));
        }

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
        var size = first.Size;
        var sampler = Samplers.Parse(first.Sampler);
        double[] timesteps = Schedule.Flux(first.Steps, size.SequenceLength, Package.Shift);
        ulong fingerprint = Schedule.Fingerprint(timesteps);
        int[] shape = [batch.Count, size.SequenceLength, FluxConstants.PackedChannels];   // (B, L, 64)

        float[] x;
        int start;
        if (request.ResumeFrom is not { } resumeFrom)
        {
            x = InitialNoise(batch, size, statePool);
            start = 0;
        }
        else
        {
            resumeFrom.EnsureCompatible(shape, first.Steps, fingerprint);
            x = statePool?.Rent(resumeFrom.Latents.Length) ?? new float[resumeFrom.Latents.Length];
            resumeFrom.Latents.CopyTo(x, 0);
            start = resumeFrom.Step;
        }

        int end = (int)Math.Min(first.Steps, (long)start + request.MaxSteps);
        int reached = start;
        if (start < end)
        {
            long clock = Stopwatch.GetTimestamp();
            float[] guidance = batch.Select(s => s.Guidance).ToArray();   // (B)
            using (Stage(ModelComponent.Transformer, out var transformer))
            using (var model = new TransformerVelocityModel(transformer, Package.Io.Transformer, request.Conditioning, size, guidance, cancellationToken))
            {
                var workspace = statePool is null ? new SamplerWorkspace(x.Length) : new SamplerWorkspace(statePool.Rent(x.Length));
                var observer = request.Progress is null ? null : new ProgressObserver(request.Progress, size, request.PreviewInterval);
                int interval = request.CheckpointInterval > 0 ? request.CheckpointInterval : end - start;
                try
                {
                    while (reached < end)
                    {
                        int chunkEnd = Math.Min(end, reached + interval);
                        Denoiser.Run(model, x, timesteps, sampler, reached, chunkEnd, observer, workspace, cancellationToken);
                        reached = chunkEnd;
                        bool outOfTime = request.TimeBudget != Timeout.InfiniteTimeSpan && Stopwatch.GetElapsedTime(clock) >= request.TimeBudget;
                        if (reached == end || outOfTime)
                        {
                            break;
                        }

                        if (request.OnCheckpoint is { } onCheckpoint)
                        {
                            await onCheckpoint(new SamplerCheckpoint(shape, reached, first.Steps, fingerprint, (float[])x.Clone()), cancellationToken).ConfigureAwait(false);
                        }
                    }
                }
                finally
                {
                    statePool?.Return(workspace.FirstVelocityBuffer);
                }
            }

            Log.Denoised(_logger, start, reached, first.Steps);
        }

        return new SamplerCheckpoint(shape, reached, first.Steps, fingerprint, x);
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
