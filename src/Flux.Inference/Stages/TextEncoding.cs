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
    public static TextConditioning Encode(
        IReadOnlyList<string> prompts,
        IPromptTokenizer tokenizer,
        ModelSession clip,
        ComponentIo clipIo,
        ModelSession t5,
        ComponentIo t5Io,
        CancellationToken cancellationToken)
    {
        int batch = prompts.Count;
        var (pooled, pooledShape) = RunEncoder(prompts, tokenizer.ClipLength, tokenizer.EncodeClip, clip, clipIo, IoContract.Pooled, cancellationToken);
        OneShotRun.ExpectShape(clip.ModelFile, clipIo[IoContract.Pooled], pooledShape, batch, pooledShape[^1]);   // (B, Dp)
        var (hidden, hiddenShape) = RunEncoder(prompts, tokenizer.T5Length, tokenizer.EncodeT5, t5, t5Io, IoContract.Hidden, cancellationToken);
        OneShotRun.ExpectShape(t5.ModelFile, t5Io[IoContract.Hidden], hiddenShape, batch, tokenizer.T5Length, hiddenShape[^1]);   // (B, T, Dt)
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
