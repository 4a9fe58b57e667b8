using System.Globalization;
using System.Text.Json.Serialization;
using Flux.Core;
using Flux.Inference.Packages;

namespace Flux.Inference;

/// <summary>
/// What to generate for one image: the one image spec of the library, the CLI and the service (job items,
/// activity inputs, manifests). <paramref name="ImageIndex"/> selects the noise stream of
/// (<paramref name="Seed"/>, index), so image i of a batch equals a single run with the same seed and index.
/// The rules for each field live in <see cref="GenerationLimits"/>. Optional features add init-only
/// properties with defaults that mean "off", so existing callers and stored histories keep their meaning.
/// </summary>
public sealed record GenerationSettings(string Prompt, int Width, int Height, int Steps, float Guidance, long Seed, string Sampler, int ImageIndex)
{
    public const int MinSide = 16;
    public const int MaxSide = 4096;
    public const int MinSteps = 1;
    public const int MaxSteps = 1000;
    public const float MinGuidance = 0f;
    public const float MaxGuidance = 100f;

    [JsonIgnore]
    public ImageSize Size => new(Width, Height);

    /// <summary>The package's defaults: its fixed size (reference) or 1024x1024, its steps and guidance, Euler.</summary>
    public static GenerationSettings Defaults(ModelPackage package, string prompt)
    {
        ArgumentNullException.ThrowIfNull(package);
        return new GenerationSettings(prompt, package.FixedWidth ?? 1024, package.FixedHeight ?? 1024, package.DefaultSteps, package.DefaultGuidance, 0, "euler", 0);
    }

    /// <summary>Throws <see cref="InvalidGenerationSettingsException"/> naming the first field outside its allowed range.</summary>
    public void Validate(ModelPackage? package = null)
    {
        if (Problems(GenerationLimits.For(package)) is [var first, ..])
        {
            throw new InvalidGenerationSettingsException(first.Field, first.Message);
        }
    }

    /// <summary>Every field outside <paramref name="limits"/> (the pipeline's when null), in declaration order.</summary>
    public IReadOnlyList<SettingsProblem> Problems(GenerationLimits? limits = null)
    {
        limits ??= GenerationLimits.Pipeline;
        var problems = new List<SettingsProblem>();
        if (Prompt is null)
        {
            problems.Add(new("prompt", "prompt is required"));
        }
        else if (Prompt.Contains('\0', StringComparison.Ordinal))
        {
            // Checked before any work: the prompt goes into the PNG's text chunks, which cannot hold U+0000.
            problems.Add(new("prompt", $"prompt contains a null character (U+0000) at position {Prompt.IndexOf('\0', StringComparison.Ordinal)}; PNG text chunks cannot hold it"));
        }

        Add("width", limits.WidthProblem(Width));
        Add("height", limits.HeightProblem(Height));
        Add("steps", limits.StepsProblem(Steps));
        Add("guidance", GenerationLimits.GuidanceProblem(Guidance));
        Add("sampler", GenerationLimits.SamplerProblem(Sampler));
        if (ImageIndex < 0)
        {
            problems.Add(new("imageIndex", $"image index {ImageIndex} is out of range: it must be 0 or more"));
        }

        return problems;

        void Add(string field, string? problem)
        {
            if (problem is not null)
            {
                problems.Add(new(field, problem));
            }
        }
    }

    /// <summary>The PNG text chunks recording these settings.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> PngText(string model) =>
    [
        new("prompt", Prompt),
        new("seed", Seed.ToString(CultureInfo.InvariantCulture)),
        new("steps", Steps.ToString(CultureInfo.InvariantCulture)),
        new("guidance", Guidance.ToString("R", CultureInfo.InvariantCulture)),
        new("sampler", Sampler),
        new("model", model),
        new("size", Size.ToString()),
        new("image-index", ImageIndex.ToString(CultureInfo.InvariantCulture)),
    ];
}
