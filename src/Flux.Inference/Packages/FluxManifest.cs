using System.Text.Json;
using System.Text.Json.Serialization;

namespace Flux.Inference.Packages;

/// <summary>
/// The optional flux.json of a package: what detection cannot know. Every member is optional; paths are
/// relative to the package folder.
/// </summary>
public sealed class FluxManifest
{
    public const string FileName = "flux.json";

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNameCaseInsensitive = true,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    /// <summary>"schnell" or "dev".</summary>
    public string? Variant { get; init; }

    /// <summary>"tiny", "reference" or absent for real exports.</summary>
    public string? Kind { get; init; }

    public int? T5MaxLength { get; init; }

    public int? DefaultSteps { get; init; }

    public float? DefaultGuidance { get; init; }

    /// <summary>"none", "dynamic" or a number s (static shift).</summary>
    public string? Shift { get; init; }

    public float? VaeScale { get; init; }

    public float? VaeShift { get; init; }

    /// <summary>A fixed image size (the reference package only renders its own size).</summary>
    public int? Width { get; init; }

    public int? Height { get; init; }

    /// <summary>Name of the transformer's velocity output ("latent" or "out_hidden_states").</summary>
    public string? TransformerOutput { get; init; }

    /// <summary>Folder with CLIP's vocab.json and merges.txt.</summary>
    public string? ClipTokenizer { get; init; }

    /// <summary>T5's spiece.model, or the folder holding it.</summary>
    public string? T5Tokenizer { get; init; }

    /// <summary>BFL layout: which transformer.opt/&lt;precision&gt;/ folder to use.</summary>
    public string? TransformerPrecision { get; init; }

    /// <summary>Tensor names by role, e.g. {"transformer.velocity": "out"} (see <see cref="IoContract.OverrideKey"/>).</summary>
    [JsonPropertyName("ioNames")]
    public Dictionary<string, string>? IoNames { get; init; }

    /// <summary>Reads flux.json from the package folder, or returns an empty manifest when there is none.</summary>
    public static FluxManifest Load(string packageDirectory)
    {
        string path = Path.Combine(packageDirectory, FileName);
        if (!File.Exists(path))
        {
            return new FluxManifest();
        }

        try
        {
            return JsonSerializer.Deserialize<FluxManifest>(File.ReadAllText(path), JsonOptions) ?? new FluxManifest();
        }
        catch (JsonException ex)
        {
            throw new FluxModelException($"{path} is not a valid flux.json: {ex.Message}", path, null, ex);
        }
    }
}
