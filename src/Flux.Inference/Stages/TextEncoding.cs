using Flux.Inference.Packages;
using Flux.Inference.Sessions;
using Flux.Inference.Tensors;

namespace Flux.Inference.Stages;

/// <summary>Token ids for both encoders: CLIP (77) and T5 (T) per prompt.</summary>
public interface IPromptTokenizer
{
    int ClipLength { get; }

    int T5Length { get; }

    /// <summary>Writes CLIP's ids for one prompt into <paramref name="destination"/> (length <see cref="ClipLength"/>).</summary>
    void EncodeClip(string prompt, Span<long> destination);

    /// <summary>Writes T5's ids for one prompt into <paramref name="destination"/> (length <see cref="T5Length"/>).</summary>
    void EncodeT5(string prompt, Span<long> destination);
}

/// <summary>CLIP + T5 for a batch of prompts -> <see cref="TextConditioning"/>.</summary>
internal static class TextEncoding
{
    /// <summary>
    /// Runs CLIP on <paramref name="clipPrompts"/>, then T5 on <paramref name="t5Prompts"/> (item b of both is
    /// conditioning row b; diffusers' <c>prompt</c> and <c>prompt_2</c>), each inside its own stage
    /// (<paramref name="stage"/> returns the session and a lease to release; in sequential memory mode only one
    /// encoder is loaded at a time).
    /// </summary>
    public static TextConditioning Encode(
        IReadOnlyList<string> clipPrompts,
        IReadOnlyList<string> t5Prompts,
        IPromptTokenizer tokenizer,
        ModelPackage package,
        Func<ModelComponent, (ModelSession Session, IDisposable? Lease)> stage,
        CancellationToken cancellationToken)
    {
        int batch = clipPrompts.Count;
        if (t5Prompts.Count != batch)
        {
            throw new ArgumentException($"{batch} CLIP prompts but {t5Prompts.Count} T5 prompts: each conditioning row needs one of each", nameof(t5Prompts));
        }

        float[] pooled, hidden;
        long[] pooledShape, hiddenShape;
        var (clip, clipLease) = stage(ModelComponent.ClipTextEncoder);
        using (clipLease)
        {
            (pooled, pooledShape) = RunEncoder(clipPrompts, tokenizer.ClipLength, tokenizer.EncodeClip, clip, package.Io.Clip, IoContract.Pooled, cancellationToken);
            OneShotRun.ExpectShape(clip.ModelFile, package.Io.Clip[IoContract.Pooled], pooledShape, batch, pooledShape[^1]);   // (B, Dp)
        }

        var (t5, t5Lease) = stage(ModelComponent.T5TextEncoder);
        using (t5Lease)
        {
            (hidden, hiddenShape) = RunEncoder(t5Prompts, tokenizer.T5Length, tokenizer.EncodeT5, t5, package.Io.T5, IoContract.Hidden, cancellationToken);
            OneShotRun.ExpectShape(t5.ModelFile, package.Io.T5[IoContract.Hidden], hiddenShape, batch, tokenizer.T5Length, hiddenShape[^1]);   // (B, T, Dt)
        }

        return new TextConditioning(batch, tokenizer.T5Length, checked((int)hiddenShape[^1]), checked((int)pooledShape[^1]), pooled, hidden);
    }

    private delegate void Tokenize(string prompt, Span<long> destination);

    private static (float[] Values, long[] Shape) RunEncoder(
        IReadOnlyList<string> prompts,
        int length,
        Tokenize tokenize,
        ModelSession session,
        ComponentIo io,
        string outputRole,
        CancellationToken cancellationToken)
    {
        var idsBinding = io[IoContract.Ids];
        long[] ids = new long[prompts.Count * length];   // (B, length)
        for (int b = 0; b < prompts.Count; b++)
        {
            tokenize(prompts[b], ids.AsSpan(b * length, length));
        }

        using var idsBuffer = TensorBuffer.Allocate(idsBinding.ElementType, prompts.Count, length);
        idsBuffer.WriteIds(ids);
        return OneShotRun.Run(session, [(idsBinding, idsBuffer)], io[outputRole], cancellationToken);
    }
}
