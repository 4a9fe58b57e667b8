using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Flux.ModelBuilder.Onnx;
using Flux.ModelBuilder.Tokenizers;
using Onnx;

namespace Flux.ModelBuilder.Packages;

/// <summary>The package's flux.json manifest (CONTRACTS.md), overriding what layout detection cannot know.</summary>
public sealed record FluxManifest(
    string Variant,
    int T5MaxLength,
    int DefaultSteps,
    double DefaultGuidance,
    string Shift,
    float VaeScale,
    float VaeShift,
    int? Width,
    int? Height,
    string TransformerOutput,
    string Kind);

/// <summary>Writes the diffusers/optimum folder layout shared by both built-in packages.</summary>
internal static class PackageLayout
{
    public const string ManifestFile = "flux.json";

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>diffusers' FluxPipeline model_index.json, naming each component's folder and class.</summary>
    private static readonly SortedDictionary<string, object> ModelIndex = new(StringComparer.Ordinal)
    {
        ["_class_name"] = "FluxPipeline",
        ["_diffusers_version"] = "0.30.0",
        ["scheduler"] = new[] { "diffusers", "FlowMatchEulerDiscreteScheduler" },
        ["text_encoder"] = new[] { "transformers", "CLIPTextModel" },
        ["text_encoder_2"] = new[] { "transformers", "T5EncoderModel" },
        ["tokenizer"] = new[] { "transformers", "CLIPTokenizer" },
        ["tokenizer_2"] = new[] { "transformers", "T5TokenizerFast" },
        ["transformer"] = new[] { "diffusers", "FluxTransformer2DModel" },
        ["vae"] = new[] { "diffusers", "AutoencoderKL" },
    };

    /// <summary>Writes model_index.json, flux.json, README.md and both tokenizers.</summary>
    public static void WriteCommon(string directory, FluxManifest manifest, string modelCard)
    {
        WriteModelIndex(directory);
        WriteText(Path.Combine(directory, ManifestFile), JsonSerializer.Serialize(manifest, JsonOptions));
        WriteText(Path.Combine(directory, "README.md"), modelCard);
        ClipVocabulary.WriteTo(Directory.CreateDirectory(Path.Combine(directory, "tokenizer")).FullName);
        SentencePieceModelWriter.Write(Path.Combine(Directory.CreateDirectory(Path.Combine(directory, "tokenizer_2")).FullName, "spiece.model"));
    }

    /// <summary>Writes diffusers' model_index.json (also used by imported packages, whose layout is the same).</summary>
    public static void WriteModelIndex(string directory) =>
        WriteText(Path.Combine(directory, "model_index.json"), JsonSerializer.Serialize(ModelIndex, JsonOptions));

    /// <summary>Writes <c>{component}/model.onnx</c> (plus external data when it is large).</summary>
    public static void WriteModel(string directory, string component, ModelProto model, long externalDataThreshold = OnnxFileWriter.DefaultExternalDataThreshold)
    {
        var folder = Directory.CreateDirectory(Path.Combine(directory, component)).FullName;
        OnnxFileWriter.Write(model, Path.Combine(folder, "model.onnx"), externalDataThreshold);
    }

    private static void WriteText(string path, string text) => File.WriteAllText(path, text.ReplaceLineEndings("\n") + "\n");
}
