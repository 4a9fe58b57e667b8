using System.Globalization;
using Flux.Core;
using Flux.Inference.Packages;

namespace Flux.Inference;

/// <summary>
/// What to generate for one image. <paramref name="ImageIndex"/> selects the noise stream of
/// (<paramref name="Seed"/>, index), so image i of a batch equals a single run with the same seed and index.
/// </summary>
public sealed record GenerationSettings(string Prompt, int Width, int Height, int Steps, float Guidance, long Seed, string Sampler, int ImageIndex)
{
    public const int MinSide = 16;
    public const int MaxSide = 4096;
    public const int MinSteps = 1;
    public const int MaxSteps = 1000;
    public const float MinGuidance = 0f;
    public const float MaxGuidance = 100f;

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
        if (Prompt is null)
        {
            throw Invalid("prompt", "prompt is required");
        }

        if (Prompt.Contains('\0', StringComparison.Ordinal))
        {
            // Checked before any work: the prompt goes into the PNG's text chunks, which cannot hold U+0000.
            throw Invalid("prompt", $"prompt contains a null character (U+0000) at position {Prompt.IndexOf('\0', StringComparison.Ordinal)}; PNG text chunks cannot hold it");
        }

        ValidateSide("width", Width, package?.FixedWidth);
        ValidateSide("height", Height, package?.FixedHeight);
        if (Steps is < MinSteps or > MaxSteps)
        {
            throw Invalid("steps", $"steps {Steps} is out of range: it must be between {MinSteps} and {MaxSteps}");
        }

        if (!float.IsFinite(Guidance) || Guidance is < MinGuidance or > MaxGuidance)
        {
            throw Invalid("guidance", string.Create(CultureInfo.InvariantCulture,
                $"guidance {Guidance} is out of range: it must be a finite number between {MinGuidance} and {MaxGuidance}"));
        }

        if (!Samplers.Names.Contains(Sampler?.ToLowerInvariant()))
        {
            throw Invalid("sampler", $"sampler '{Sampler}' is not one of {string.Join(", ", Samplers.Names)}");
        }

        if (ImageIndex < 0)
        {
            throw Invalid("imageIndex", $"image index {ImageIndex} is out of range: it must be 0 or more");
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

    private static void ValidateSide(string field, int value, int? fixedSize)
    {
        if (value is < MinSide or > MaxSide)
        {
            throw Invalid(field, $"{field} {value} is out of range: it must be between {MinSide} and {MaxSide} pixels");
        }

        if (value % FluxConstants.SizeMultiple != 0)
        {
            throw Invalid(field, $"{field} {value} is not a multiple of {FluxConstants.SizeMultiple}");
        }

        if (fixedSize is int only && value != only)
        {
            throw Invalid(field, $"{field} {value} is not supported by this model package: it renders {field} {only} only");
        }
    }

    private static InvalidGenerationSettingsException Invalid(string field, string message) => new(field, message);
}
