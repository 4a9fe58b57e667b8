using System.Globalization;
using Flux.Core;
using Flux.ModelBuilder.Reference;
using Flux.ModelBuilder.Tiny;
using Flux.ModelBuilder.Tokenizers;

namespace Flux.ModelBuilder.Packages;

/// <summary>Options of the reference package (its image set and size are fixed).</summary>
public sealed record ReferencePackageOptions
{
    /// <summary>T5 sequence length T (FLUX schnell's 256 by default).</summary>
    public int T5MaxLength { get; init; } = 256;

    public bool OptimumOutputNames { get; init; }

    public string TransformerOutputName => OptimumOutputNames ? "out_hidden_states" : "latent";

    public void Validate()
    {
        if (T5MaxLength is < 1 or > 4096)
        {
            throw new ArgumentException($"T5MaxLength {T5MaxLength} is out of range; allowed: 1..4096.", nameof(T5MaxLength));
        }
    }
}

/// <summary>Writes the reference package: the exact velocity field of the built-in shape set.</summary>
public static class ReferencePackage
{
    public const int DefaultSteps = 28;

    public static ImageSize Size { get; } = ImageSize.Create(ShapeDataset.Side, ShapeDataset.Side);

    public static void Write(string directory, ReferencePackageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var manifest = new FluxManifest(
            Variant: "schnell",
            T5MaxLength: options.T5MaxLength,
            DefaultSteps: DefaultSteps,
            DefaultGuidance: 0,
            Shift: "none",
            VaeScale: FluxConstants.VaeScalingFactor,
            VaeShift: FluxConstants.VaeShiftFactor,
            Width: Size.Width,
            Height: Size.Height,
            TransformerOutput: options.TransformerOutputName,
            Kind: "reference");
        var images = ShapeDataset.Images;
        PackageLayout.WriteCommon(directory, manifest, ModelCard(options));
        PackageLayout.WriteModel(directory, "text_encoder", ReferenceGraphs.BuildKeywordEncoder());
        PackageLayout.WriteModel(directory, "text_encoder_2", ReferenceGraphs.BuildT5Embedding(options.T5MaxLength, SentencePieceModelWriter.VocabularySize, seed: 7));
        PackageLayout.WriteModel(directory, "transformer", ReferenceGraphs.BuildTransformer(
            PackedLatents(images), ReferenceGraphs.PriorMatrix(images), images.Count, Size, options.T5MaxLength, options.TransformerOutputName));
        PackageLayout.WriteModel(directory, "vae_decoder", PatchVae.BuildDecoderGraph());
        PackageLayout.WriteModel(directory, "vae_encoder", PatchVae.BuildEncoderGraph());
    }

    /// <summary>x0_k = pack((E(image_k) - shift) * scale), the model-space latents: (K, L*64).</summary>
    public static float[] PackedLatents(IReadOnlyList<ShapeImage> images)
    {
        ArgumentNullException.ThrowIfNull(images);
        var all = new float[images.Count * Size.PackedLength];
        for (var k = 0; k < images.Count; k++)
        {
            var latent = ModelLatent(ShapeDataset.Render(images[k]));
            LatentLayout.Pack(latent, all.AsSpan(k * Size.PackedLength, Size.PackedLength), Size);
        }

        return all;
    }

    /// <summary>z = (E(image) - vaeShift) * vaeScale, so the pipeline's decode(z / scale + shift) gives D(E(image)).</summary>
    public static float[] ModelLatent(ReadOnlySpan<float> image)
    {
        var latent = PatchVae.Encode(image, Size);
        for (var i = 0; i < latent.Length; i++)
        {
            latent[i] = (latent[i] - FluxConstants.VaeShiftFactor) * FluxConstants.VaeScalingFactor;
        }

        return latent;
    }

    private static string ModelCard(ReferencePackageOptions o) => string.Create(CultureInfo.InvariantCulture, $"""
        # Reference flow-matching model (built-in shape set)

        **What it is:** the exact flow-matching velocity field of {ShapeDataset.Images.Count} procedurally drawn
        {ShapeDataset.Side}x{ShapeDataset.Side} images ({string.Join("/", ShapeDataset.ShapeColours)} {string.Join("/", ShapeDataset.Shapes)}
        on a {string.Join("/", ShapeDataset.Backgrounds)} background), written as ONNX graphs in the FLUX.1 IO contract.
        For images x0_k with prior weights pi_k(prompt), the straight path x_t = (1 - t) x0 + t x1 has
        the marginal velocity `v(x, t) = (x - sum_k w_k x0_k) / t`,
        `w = softmax_k(log pi_k - |x - (1 - t) x0_k|^2 / (2 t^2))`, which the transformer computes in
        the packed (B, L, 64) layout (t is clamped to >= {ReferenceGraphs.MinimumTime} to stay finite).

        - **"CLIP" encoder:** a keyword parser over the real CLIP token ids. A colour word followed by a
          shape word sets the shape colour, a colour word followed by "background" sets the background,
          and the shape word sets the shape. The keyword vector is `pooler_output`; each stated attribute
          an image does not match costs {ReferenceGraphs.MismatchPenalty} in log-prior, unstated ones match every image.
          Example prompts: "a red circle on a blue background", "a white triangle on a black background",
          "a yellow square" (either background). A caption that leaves attributes open ("a circle") gives a
          uniform prior over every matching image, so the flow's paths curve before settling on one of them.
        - **T5 encoder:** a fixed embedding with T5's IO shape (T = {o.T5MaxLength}); the transformer ignores it.
        - **VAE decoder:** a fixed linear map from 16 latent channels to each 8x8 RGB patch (low-frequency
          DCT basis), whose least-squares inverse encoded the image set; latents follow FLUX's scaling
          `z = (E(img) - 0.1159) * 0.3611`.
        - **VAE encoder:** that inverse E as ONNX (`sample` -> `latent_sample`, the latent before scaling), so
          E(D(z)) = z exactly and D(E(x)) = x for images the decoder can draw.

        **What it is not:** a neural network or a general text-to-image model. It reproduces images of its
        own set (what the ideal minimiser of the flow-matching loss does on a finite set), so a sampler,
        schedule, packing or VAE-scaling bug shows up as the wrong picture. Use {DefaultSteps} Euler steps.
        Transformer output name: `{o.TransformerOutputName}`. Built by `flux model create reference`.
        """);
}
