using Flux.ModelBuilder.Onnx;
using Flux.ModelBuilder.Onnx.Int4;

namespace Flux.ModelBuilder.Tiny;

/// <summary>FLUX.1 variants: schnell (no guidance input, 4 steps) and dev (guidance embedding, shifted schedule).</summary>
public enum FluxVariant
{
    Schnell,
    Dev,
}

/// <summary>How the transformer graph is spelled: standard ONNX operators only, or ONNX Runtime's fused kernels.</summary>
public enum TransformerGraph
{
    /// <summary>Standard operators (opset 17) only: runs on any ONNX runtime; the comparison baseline.</summary>
    Plain,

    /// <summary>MultiHeadAttention, RotaryEmbedding, FastGelu and SimplifiedLayerNormalization (CPU and CUDA kernels in ONNX Runtime).</summary>
    Fused,
}

/// <summary>
/// Sizes of the tiny FLUX-architecture package. Defaults run a 256x256 image far below a second per
/// step on two CPU cores; <see cref="FluxWidth"/> is FLUX.1's real width with few blocks, for benchmarks.
/// </summary>
public sealed record TinyFluxOptions
{
    /// <summary>FLUX.1's RoPE base frequency.</summary>
    public const int RopeTheta = 10_000;

    /// <summary>Width of the sinusoidal timestep/guidance embedding (FLUX: 256).</summary>
    public const int TimestepEmbeddingWidth = 256;

    /// <summary>CLIP ViT-L/14 pooled width, fixed by the transformer's pooled_projections contract.</summary>
    public const int PooledWidth = 768;

    /// <summary>CLIP's context length.</summary>
    public const int ClipLength = 77;

    public FluxVariant Variant { get; init; } = FluxVariant.Schnell;

    public int HiddenSize { get; init; } = 64;

    public int HeadCount { get; init; } = 4;

    public int DoubleBlocks { get; init; } = 2;

    public int SingleBlocks { get; init; } = 2;

    /// <summary>MLP hidden width over model width (FLUX: 4).</summary>
    public int MlpRatio { get; init; } = 4;

    /// <summary>Width of the T5-like encoder's output, the transformer's context width (FLUX: 4096).</summary>
    public int T5Width { get; init; } = 32;

    /// <summary>T5 sequence length T; null means FLUX's default for the variant (256 schnell, 512 dev).</summary>
    public int? T5MaxLength { get; init; }

    /// <summary>Width of the pooled text embedding the transformer's vector_in reads (FLUX: CLIP's 768; diffusers' pooled_projection_dim).</summary>
    public int PooledProjectionWidth { get; init; } = PooledWidth;

    /// <summary>RoPE axes split of the head dimension as a checkpoint's config states it (diffusers' axes_dims_rope); null derives it from the head width.</summary>
    public IReadOnlyList<int>? RopeAxes { get; init; }

    /// <summary>Hidden width of the CLIP-like encoder (its pooled output is projected to 768).</summary>
    public int ClipWidth { get; init; } = 16;

    /// <summary>Channels of the tiny VAE decoder's first convolution (halved after each upsampling).</summary>
    public int VaeChannels { get; init; } = 32;

    public ulong Seed { get; init; } = 42;

    /// <summary>The transformer's operators; fused by default, since ONNX Runtime has every fused kernel on the CPU and CUDA providers.</summary>
    public TransformerGraph Graph { get; init; } = TransformerGraph.Fused;

    /// <summary>
    /// int4 (MatMulNBits) weights for the transformer's block linears (double and single blocks: qkv, proj, MLPs,
    /// modulations, linear1/linear2); the embedders and final layer stay fp32. Null (the default): every weight fp32.
    /// </summary>
    public Int4Quantization? Int4 { get; init; }

    /// <summary>Write optimum's transformer output name (out_hidden_states) instead of BFL's (latent).</summary>
    public bool OptimumOutputNames { get; init; }

    /// <summary>Initializer bytes above which a model file stores its weights as external data.</summary>
    public long ExternalDataThreshold { get; init; } = OnnxFileWriter.DefaultExternalDataThreshold;

    /// <summary>FLUX.1's real transformer width (3072, 24 heads of 128, T5 width 4096) with one block of each kind.</summary>
    public static TinyFluxOptions FluxWidth { get; } = new()
    {
        HiddenSize = 3072,
        HeadCount = 24,
        DoubleBlocks = 1,
        SingleBlocks = 1,
        T5Width = 4096,
        ClipWidth = 64,
    };

    public int HeadDim => HiddenSize / HeadCount;

    public int MlpWidth => HiddenSize * MlpRatio;

    public int TextLength => T5MaxLength ?? (Variant == FluxVariant.Dev ? 512 : 256);

    public string TransformerOutputName => OptimumOutputNames ? "out_hidden_states" : "latent";

    /// <summary>
    /// RoPE axes split of the head dimension, FLUX's (16, 56, 56) of 128 scaled down: the two spatial
    /// axes get 2*floor(56*D/256) each and the first axis the rest.
    /// </summary>
    public int[] AxesDim
    {
        get
        {
            if (RopeAxes is not null)
            {
                return [.. RopeAxes];
            }

            var spatial = 2 * (HeadDim * 56 / 256);
            return [HeadDim - 2 * spatial, spatial, spatial];
        }
    }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first field out of range.</summary>
    public void Validate()
    {
        Require(HiddenSize is >= 8 and <= 8192, nameof(HiddenSize), HiddenSize, "8..8192");
        Require(HeadCount is >= 1 && HiddenSize % HeadCount == 0, nameof(HeadCount), HeadCount, $"a divisor of HiddenSize {HiddenSize}");
        Require(HeadDim % 2 == 0 && HeadDim >= 6, nameof(HeadCount), HeadCount, $"a count that leaves an even head width >= 6 (HiddenSize {HiddenSize} / HeadCount gives {HeadDim})");
        Require(DoubleBlocks is >= 0 and <= 64, nameof(DoubleBlocks), DoubleBlocks, "0..64");
        Require(SingleBlocks is >= 0 and <= 64, nameof(SingleBlocks), SingleBlocks, "0..64");
        Require(MlpRatio is >= 1 and <= 8, nameof(MlpRatio), MlpRatio, "1..8");
        Require(T5Width is >= 8 and <= 8192 && T5Width % 4 == 0, nameof(T5Width), T5Width, "8..8192, a multiple of 4");
        Require(TextLength is >= 1 and <= 4096, nameof(T5MaxLength), TextLength, "1..4096");
        Require(ClipWidth is >= 8 and <= 1024 && ClipWidth % 4 == 0, nameof(ClipWidth), ClipWidth, "8..1024, a multiple of 4");
        Require(VaeChannels is >= 8 and <= 512 && VaeChannels % 8 == 0, nameof(VaeChannels), VaeChannels, "8..512, a multiple of 8");
        Require(PooledProjectionWidth is >= 1 and <= 8192, nameof(PooledProjectionWidth), PooledProjectionWidth, "1..8192");
        if (RopeAxes is not null && (RopeAxes.Sum() != HeadDim || RopeAxes.Any(axis => axis <= 0 || axis % 2 != 0) || RopeAxes.Count != 3))
        {
            throw new ArgumentException(
                $"{nameof(RopeAxes)} ({string.Join(", ", RopeAxes)}) must be three positive even widths summing to the head width {HeadDim}.", nameof(RopeAxes));
        }

        Int4?.Validate();
        Require(ExternalDataThreshold > 0, nameof(ExternalDataThreshold), ExternalDataThreshold, "a positive byte count");
    }

    private static void Require(bool condition, string field, long value, string allowed)
    {
        if (!condition)
        {
            throw new ArgumentException($"{field} {value} is out of range; allowed: {allowed}.", field);
        }
    }
}
