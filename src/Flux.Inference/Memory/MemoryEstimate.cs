using System.Globalization;
using Flux.Core;
using Flux.Inference.Packages;
using Flux.Inference.Sessions;

namespace Flux.Inference.Memory;

/// <summary>
/// The peak memory of generating a batch with a package, estimated before anything runs, so a request too large for the
/// device is refused with a message (and the largest size that fits) instead of ONNX Runtime's raw allocation failure.
/// </summary>
/// <remarks>
/// peak = weights + max(transformer activations, VAE activations) + pipeline buffers, all in bytes:
/// <list type="bullet">
/// <item>weights: the sum of every initializer's bytes (element count x element size) of the four model files, external
/// data included; all four stay loaded in resident memory mode, the largest one alone in sequential mode; a GPU's estimate
/// leaves out the text encoders when they run on the CPU.</item>
/// <item>transformer: with S = L + T tokens (L = (H/16)(W/16) image tokens, T the T5 length), the plain attention graph
/// (MatMul, Mul by 1/sqrt(d), Softmax) materialises up to three (B, heads, S, S) fp32 tensors, 3 x B x heads x S^2 x 4
/// bytes, which dominates at large sizes (tiny at 1024x1024: estimate 0.9 GiB, measured peak RSS 834 MiB above the
/// 64x64 run's; ONNX Runtime's MatMul-scale fusion can save one of the three). A graph with ONNX Runtime's fused
/// MultiHeadAttention operator is counted with one such tensor (its CPU kernel keeps the probabilities, in place); plus the
/// token activations, B x S x hidden x 4 bytes x 12 (residual streams, q/k/v and the 4x-wide MLP). heads = hidden /
/// head width from the QK-norm scales (BFL's <c>query_norm.scale</c>, diffusers' <c>norm_q.weight</c>) and hidden from
/// <c>img_in</c>/<c>x_embedder</c>; a large graph without those names is taken as FLUX.1 (hidden 3072, 24 heads of 128),
/// a small one (the reference package's analytic field) as having no attention.</item>
/// <item>VAE: three full-resolution tensors of its last convolution's input channels, 3 x B x C x H x W x 4 bytes
/// (C from <c>conv_out</c>'s weight, 3 when there is none).</item>
/// <item>buffers: the (B, L, 64) sampler state and workspace and the (H, W, 3) pixels.</item>
/// </list>
/// Fused attention kernels (CUDA flash attention) need less, so on such providers the estimate errs on the safe side.
/// </remarks>
public sealed record MemoryEstimate(long WeightBytes, long AttentionBytes, long TokenBytes, long VaeBytes, long BufferBytes)
{
    public long PeakBytes => WeightBytes + Math.Max(AttentionBytes + TokenBytes, VaeBytes) + BufferBytes;

    /// <summary>"69.3 GB (weights 7.1 MB, attention scores 69.2 GB, ...)".</summary>
    public override string ToString() => $"{Bytes(PeakBytes)} (weights {Bytes(WeightBytes)}, attention scores {Bytes(AttentionBytes)}, " +
        $"token activations {Bytes(TokenBytes)}, VAE {Bytes(VaeBytes)}, buffers {Bytes(BufferBytes)})";

    public static string Bytes(long bytes) => bytes switch
    {
        >= 1L << 30 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 30):0.0} GiB"),
        >= 1L << 20 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 20):0.0} MiB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:0.0} KiB"),
    };

    /// <summary>The memory the CPU provider may use: the GC's view of physical memory (a container's limit where one is set).</summary>
    public static long CpuBudgetBytes() => GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
}

/// <summary>The facts of a package the estimate scales with; read once per package (see <see cref="MemoryEstimate"/>).</summary>
public sealed class PackageMemoryModel
{
    private const long FloatBytes = 4;
    private const int TokenTensorsPerLayer = 12;
    private const int PlainAttentionTensors = 3;
    private const int FusedAttentionTensors = 1;
    private const int VaeFullResolutionTensors = 3;
    private const long LargeTransformerBytes = 1L << 30;
    private const int FluxHidden = 3072;
    private const int FluxHeads = 24;

    private readonly IReadOnlyDictionary<ModelComponent, long> _weightBytes;

    private PackageMemoryModel(IReadOnlyDictionary<ModelComponent, long> weightBytes, int hidden, int heads, int attentionTensors, int vaeChannels, int t5Length)
    {
        _weightBytes = weightBytes;
        (Hidden, Heads, AttentionTensors, VaeChannels, T5Length) = (hidden, heads, attentionTensors, vaeChannels, t5Length);
    }

    /// <summary>Every model file's weights: what resident memory mode holds.</summary>
    public long ResidentWeightBytes => _weightBytes.Values.Sum();

    /// <summary>The largest model file's weights: what sequential memory mode holds at most.</summary>
    public long LargestWeightBytes => _weightBytes.Values.Max();

    /// <summary>Transformer width; 0 when the graph has no attention to account for.</summary>
    public int Hidden { get; }

    public int Heads { get; }

    /// <summary>(B, heads, S, S) tensors alive at once: 3 for the plain graph (MatMul, Mul, Softmax), 1 with MultiHeadAttention.</summary>
    public int AttentionTensors { get; }

    public int VaeChannels { get; }

    public int T5Length { get; }

    public static PackageMemoryModel Of(ModelPackage package)
    {
        ArgumentNullException.ThrowIfNull(package);
        var weights = package.Io.All.ToDictionary(c => c.Component, c => OnnxWeights.Read(c.ModelFile));
        var transformer = weights[ModelComponent.Transformer];
        var (hidden, heads) = Attention(transformer);
        var conv = weights[ModelComponent.VaeDecoder].Initializers.FirstOrDefault(i => i.Name.Contains("conv_out", StringComparison.Ordinal) && i.Dimensions.Length == 4)
            ?? weights[ModelComponent.VaeDecoder].Initializers.FirstOrDefault(i => i.Dimensions is [3, _, _, _]);
        return new PackageMemoryModel(weights.ToDictionary(w => w.Key, w => w.Value.TotalBytes),
            hidden, heads, transformer.OperatorTypes.Contains("MultiHeadAttention") ? FusedAttentionTensors : PlainAttentionTensors,
            conv is null ? 3 : (int)conv.Dimensions[1], package.T5MaxLength);
    }

    /// <summary>The estimate for <paramref name="batch"/> images of <paramref name="size"/>.</summary>
    /// <param name="textEncodersOffDevice">
    /// The text encoders run elsewhere (<see cref="InferenceOptions.TextEncodersOnCpu"/> with a GPU): their weights are not
    /// counted against this device; their activations (one prompt of T tokens) are small next to the transformer's.
    /// </param>
    public MemoryEstimate Estimate(ImageSize size, int batch, MemoryMode mode, bool textEncodersOffDevice = false)
    {
        long b = batch;
        long tokens = size.SequenceLength + T5Length;                         // S = L + T
        long attention = Heads == 0 ? 0 : AttentionTensors * b * Heads * tokens * tokens * FloatBytes;   // QK^T, scaled, softmax: (B, heads, S, S) each
        long tokenActivations = b * tokens * Math.Max(Hidden, FluxConstants.PackedChannels) * FloatBytes * TokenTensorsPerLayer;   // (B, S, hidden) each
        long vae = VaeFullResolutionTensors * b * VaeChannels * size.Height * (long)size.Width * FloatBytes;   // (B, C, H, W) each
        long buffers = (2 * b * size.SequenceLength * FluxConstants.PackedChannels * FloatBytes) + (b * size.Height * (long)size.Width * 3);   // (B, L, 64) x 2, (B, H, W, 3)
        var onDevice = _weightBytes.Where(w => !(textEncodersOffDevice && w.Key is ModelComponent.ClipTextEncoder or ModelComponent.T5TextEncoder)).Select(w => w.Value).ToList();
        long weights = mode == MemoryMode.Sequential ? onDevice.Max() : onDevice.Sum();
        return new MemoryEstimate(weights, attention, tokenActivations, vae, buffers);
    }

    /// <summary>
    /// The largest size with the aspect ratio of <paramref name="requested"/> (sides multiples of 16, not above it) whose
    /// estimate fits <paramref name="budgetBytes"/>, or null when not even 16 pixels on the short side fit.
    /// </summary>
    public ImageSize? LargestFitting(ImageSize requested, int batch, MemoryMode mode, long budgetBytes, bool textEncodersOffDevice = false)
    {
        double aspect = requested.Width / (double)requested.Height;
        int shortSide = Math.Min(requested.Width, requested.Height) / FluxConstants.SizeMultiple;
        for (int units = shortSide; units >= 1; units--)   // at most 256 steps of a closed-form estimate
        {
            int shortPixels = units * FluxConstants.SizeMultiple;
            int longPixels = (int)(Math.Floor(shortPixels * Math.Max(aspect, 1 / aspect) / FluxConstants.SizeMultiple) * FluxConstants.SizeMultiple);
            var size = aspect >= 1 ? new ImageSize(longPixels, shortPixels) : new ImageSize(shortPixels, longPixels);
            if (Estimate(size, batch, mode, textEncodersOffDevice).PeakBytes <= budgetBytes)
            {
                return size;
            }
        }

        return null;
    }

    private static (int Hidden, int Heads) Attention(OnnxWeights transformer)
    {
        var headNorm = transformer.EndingWith("query_norm.scale") ?? transformer.EndingWith("norm_q.weight");
        var input = transformer.EndingWith("img_in.weight") ?? transformer.EndingWith("x_embedder.weight");
        if (headNorm is { Dimensions: [var headWidth] } && input is { Dimensions: [var a, var c] } && headWidth > 0)
        {
            int hidden = (int)(a == FluxConstants.PackedChannels ? c : a);   // stored (64, hidden) for MatMul or (hidden, 64) as in PyTorch
            return (hidden, (int)(hidden / headWidth));
        }

        return transformer.TotalBytes >= LargeTransformerBytes ? (FluxHidden, FluxHeads) : (0, 0);
    }
}
