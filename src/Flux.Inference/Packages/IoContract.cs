using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Flux.Inference.Packages;

/// <summary>The four ONNX sessions of a FLUX pipeline.</summary>
public enum ModelComponent
{
    ClipTextEncoder,
    T5TextEncoder,
    Transformer,
    VaeDecoder,
}

/// <summary>What a tensor holds: float data (fp32/fp16/bf16 accepted), token ids (int64/int32), or position ids (either).</summary>
public enum TensorKind
{
    Float,
    Ids,

    /// <summary>
    /// Whole-number positions (img_ids, txt_ids): BFL's graphs and its TensorRT export take float32, optimum's FLUX
    /// export declares int64 (its dummy inputs are int64 and it casts inputs to the declared type), others int32.
    /// </summary>
    Positions,
}

/// <summary>
/// One tensor of the FLUX IO contract: a role, the names exporters give it (first = diffusers'), its
/// kind and its shape, where each dimension is a number or a symbol (B, L, T, Dt, ...) whose value is
/// shared across tensors and sessions. <paramref name="BatchedShape"/> is a second accepted shape with a
/// leading batch axis (diffusers before 0.31 exported img_ids/txt_ids as (B, L, 3) and read item 0).
/// </summary>
public sealed record TensorSpec(string Role, IReadOnlyList<string> Aliases, TensorKind Kind, IReadOnlyList<string> Shape, bool IsOptional = false, IReadOnlyList<string>? BatchedShape = null)
{
    public string ShapeText => "(" + string.Join(", ", Shape) + ")" + (BatchedShape is null ? string.Empty : " or (" + string.Join(", ", BatchedShape) + ")");
}

/// <summary>The inputs and outputs a component must have.</summary>
public sealed record ComponentContract(ModelComponent Component, IReadOnlyList<TensorSpec> Inputs, IReadOnlyList<TensorSpec> Outputs)
{
    public TensorSpec this[string role] => Inputs.Concat(Outputs).Single(s => s.Role == role);
}

/// <summary>The FLUX contract of DESIGN section 4, with the aliases of BFL's and optimum's exports.</summary>
public static class IoContract
{
    public const string Ids = "ids";
    public const string Pooled = "pooled";
    public const string Hidden = "hidden";
    public const string HiddenStates = "hidden_states";
    public const string EncoderHiddenStates = "encoder_hidden_states";
    public const string PooledProjections = "pooled_projections";
    public const string Timestep = "timestep";
    public const string ImageIds = "img_ids";
    public const string TextIds = "txt_ids";
    public const string Guidance = "guidance";
    public const string Velocity = "velocity";
    public const string Latent = "latent";
    public const string Image = "image";

    public static ComponentContract Clip { get; } = new(
        ModelComponent.ClipTextEncoder,
        [new(Ids, ["input_ids"], TensorKind.Ids, ["B", "77"])],
        [new(Pooled, ["pooler_output", "pooled_embeddings", "text_embeds", "pooled_output"], TensorKind.Float, ["B", "Dp"])]);

    public static ComponentContract T5 { get; } = new(
        ModelComponent.T5TextEncoder,
        [new(Ids, ["input_ids"], TensorKind.Ids, ["B", "T"])],
        [new(Hidden, ["last_hidden_state", "text_embeddings", "hidden_states"], TensorKind.Float, ["B", "T", "Dt"])]);

    public static ComponentContract Transformer { get; } = new(
        ModelComponent.Transformer,
        [
            new(HiddenStates, ["hidden_states"], TensorKind.Float, ["B", "L", "64"]),
            new(EncoderHiddenStates, ["encoder_hidden_states"], TensorKind.Float, ["B", "T", "Dt"]),
            new(PooledProjections, ["pooled_projections"], TensorKind.Float, ["B", "Dp"]),
            new(Timestep, ["timestep"], TensorKind.Float, ["B"]),
            new(ImageIds, ["img_ids"], TensorKind.Positions, ["L", "3"], BatchedShape: ["B", "L", "3"]),
            new(TextIds, ["txt_ids"], TensorKind.Positions, ["T", "3"], BatchedShape: ["B", "T", "3"]),
            new(Guidance, ["guidance"], TensorKind.Float, ["B"], IsOptional: true),
        ],
        [new(Velocity, ["latent", "out_hidden_states", "sample"], TensorKind.Float, ["B", "L", "64"])]);

    public static ComponentContract Vae { get; } = new(
        ModelComponent.VaeDecoder,
        [new(Latent, ["latent_sample", "latent", "z"], TensorKind.Float, ["B", "16", "h", "w"])],
        [new(Image, ["sample", "images", "image"], TensorKind.Float, ["B", "3", "H", "W"])]);

    public static ComponentContract For(ModelComponent component) => component switch
    {
        ModelComponent.ClipTextEncoder => Clip,
        ModelComponent.T5TextEncoder => T5,
        ModelComponent.Transformer => Transformer,
        ModelComponent.VaeDecoder => Vae,
        _ => throw new ArgumentOutOfRangeException(nameof(component), component, "unknown component"),
    };

    /// <summary>The key flux.json's "ioNames" uses for a role, e.g. "transformer.velocity".</summary>
    public static string OverrideKey(ModelComponent component, string role) => component switch
    {
        ModelComponent.ClipTextEncoder => "clip.",
        ModelComponent.T5TextEncoder => "t5.",
        ModelComponent.Transformer => "transformer.",
        _ => "vae.",
    } + role;

    internal static bool Accepts(TensorKind kind, TensorElementType type) => kind switch
    {
        TensorKind.Float => type is TensorElementType.Float or TensorElementType.Float16 or TensorElementType.BFloat16,
        TensorKind.Ids => type is TensorElementType.Int64 or TensorElementType.Int32,
        _ => Accepts(TensorKind.Float, type) || Accepts(TensorKind.Ids, type),
    };

    internal static string Describe(TensorKind kind) => kind switch
    {
        TensorKind.Float => "a float tensor (fp32, fp16 or bf16)",
        TensorKind.Ids => "an integer tensor (int64 or int32)",
        _ => "a float or integer tensor (fp32, fp16, bf16, int64 or int32)",
    };

    internal static string Describe(NodeMetadata metadata) =>
        "(" + string.Join(", ", metadata.Dimensions.Select((d, i) =>
            d >= 0 ? d.ToString(System.Globalization.CultureInfo.InvariantCulture)
            : string.IsNullOrEmpty(metadata.SymbolicDimensions[i]) ? "?" : metadata.SymbolicDimensions[i])) + ")";
}
