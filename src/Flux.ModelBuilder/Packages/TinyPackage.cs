using System.Globalization;
using Flux.Core;
using Flux.ModelBuilder.Tiny;
using Flux.ModelBuilder.Tokenizers;

namespace Flux.ModelBuilder.Packages;

/// <summary>Writes the tiny FLUX-architecture package (random weights) into a folder.</summary>
public static class TinyPackage
{
    public static void Write(string directory, TinyFluxOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var dev = options.Variant == FluxVariant.Dev;
        var manifest = new FluxManifest(
            Variant: dev ? "dev" : "schnell",
            T5MaxLength: options.TextLength,
            DefaultSteps: dev ? 50 : 4,
            DefaultGuidance: dev ? 3.5 : 0,
            Shift: dev ? "dynamic" : "none",
            VaeScale: FluxConstants.VaeScalingFactor,
            VaeShift: FluxConstants.VaeShiftFactor,
            Width: null,
            Height: null,
            TransformerOutput: options.TransformerOutputName,
            Kind: "tiny");
        PackageLayout.WriteCommon(directory, manifest, ModelCard(options, manifest));
        PackageLayout.WriteModel(directory, "text_encoder", TinyEncoders.BuildClip(options), options.ExternalDataThreshold);
        PackageLayout.WriteModel(directory, "text_encoder_2", TinyEncoders.BuildT5(options, SentencePieceModelWriter.VocabularySize), options.ExternalDataThreshold);
        PackageLayout.WriteModel(directory, "transformer", TinyTransformer.Build(options), options.ExternalDataThreshold);
        PackageLayout.WriteModel(directory, "vae_decoder", TinyVaeDecoder.Build(options), options.ExternalDataThreshold);
        PackageLayout.WriteModel(directory, "vae_encoder", TinyVaeEncoder.Build(options), options.ExternalDataThreshold);
    }

    private static string ModelCard(TinyFluxOptions o, FluxManifest m) => string.Create(CultureInfo.InvariantCulture, $"""
        # Tiny FLUX.1-{m.Variant} (random weights)

        **What it is:** the FLUX.1 transformer architecture (black-forest-labs/flux: img_in, time_in,
        {(o.Variant == FluxVariant.Dev ? "guidance_in, " : "")}vector_in, txt_in, {o.DoubleBlocks} double-stream and {o.SingleBlocks} single-stream blocks with QK RMSNorm
        and RoPE over axes ({string.Join(", ", o.AxesDim)}), final_layer) at width {o.HiddenSize} with {o.HeadCount} heads,
        in the IO contract of the real ONNX exports, with deterministic pseudo-random weights (seed {o.Seed}).
        Tiny CLIP-like (width {o.ClipWidth}, pooled to 768) and T5-like (width {o.T5Width}, T = {o.TextLength})
        encoders, a small convolutional VAE decoder and a random convolutional VAE encoder (`sample` ->
        `latent_sample`) complete the pipeline. Initializers carry BFL's
        state-dict names and shapes.

        **What it is not:** a trained model. Its images are noise-like; it exists to run every code path
        (tokenizers, encoders, sampler, checkpoints, VAE) and measure overhead without downloads.

        Tokenizers: `tokenizer/` is the real CLIP ViT-L/14 vocabulary; `tokenizer_2/spiece.model` is a
        small T5-style SentencePiece unigram model written by Flux.ModelBuilder (pad 0, eos 1, unk 2, no bos).
        Transformer output name: `{m.TransformerOutput}`. Built by `flux model create tiny`.
        """);
}
