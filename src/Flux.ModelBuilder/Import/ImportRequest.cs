using Flux.ModelBuilder.Onnx.Int4;
using Flux.ModelBuilder.Tiny;

namespace Flux.ModelBuilder.Import;

/// <summary>A LoRA file to merge into the transformer, W' = W + Scale * (alpha / rank) * up @ down.</summary>
public sealed record LoraSpec(string Path, float Scale = 1f);

/// <summary>What `flux model import` was asked to do.</summary>
public sealed record ImportRequest
{
    /// <summary>A Hugging Face FLUX.1 folder (model_index.json, text_encoder/, text_encoder_2/, tokenizer/, tokenizer_2/, transformer/, vae/).</summary>
    public required string Source { get; init; }

    /// <summary>The package folder to create.</summary>
    public required string Output { get; init; }

    /// <summary>Replace an existing package at <see cref="Output"/>.</summary>
    public bool Force { get; init; }

    /// <summary>BFL's single transformer file (flux1-schnell/dev.safetensors) instead of Source/transformer.</summary>
    public string? TransformerFile { get; init; }

    /// <summary>BFL's ae.safetensors instead of Source/vae.</summary>
    public string? VaeFile { get; init; }

    /// <summary>Null: as the checkpoint says (guidance_in present = dev).</summary>
    public FluxVariant? Variant { get; init; }

    public WeightPrecision Precision { get; init; } = WeightPrecision.Fp32;

    /// <summary>int4 (MatMulNBits) storage of the transformer's block linears, quantized after any LoRA merge; null keeps them at <see cref="Precision"/>.</summary>
    public Int4Quantization? Int4 { get; init; }

    public IReadOnlyList<LoraSpec> Loras { get; init; } = [];

    /// <summary>Skip LoRA keys that match no transformer weight instead of failing.</summary>
    public bool LoraIgnoreUnknown { get; init; }

    /// <summary>T5 sequence length; null is FLUX's for the variant (256 schnell, 512 dev).</summary>
    public int? T5MaxLength { get; init; }
}

/// <summary>
/// Receives an import's progress per component, in bytes written. Every Begin comes first, on the importing thread;
/// Advance for <see cref="ModelImporter.SourcesComponent"/> (hashing the inputs) then comes from another thread,
/// concurrently with the other components' Advance.
/// </summary>
public interface IImportProgress
{
    void Begin(string component, long totalBytes);

    void Advance(string component, long bytes);
}
