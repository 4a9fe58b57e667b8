using System.Globalization;
using System.Text.Json.Serialization;
using Flux.Core;
using Flux.Inference.Imaging;
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
    public const float MinTrueCfgScale = 1f;
    public const float MaxTrueCfgScale = 20f;
    public const float MinStrength = 0f;
    public const float MaxStrength = 1f;

    /// <summary>
    /// diffusers' <c>negative_prompt</c>: with <see cref="TrueCfgScale"/> &gt; 1 each velocity is
    /// v_neg + s·(v_pos − v_neg), both prompts run as one batch of 2. Null means none ("" is the empty prompt).
    /// </summary>
    public string? NegativePrompt { get; init; }

    /// <summary>diffusers' <c>true_cfg_scale</c>, 1 (off) to <see cref="MaxTrueCfgScale"/>; above 1 it needs a <see cref="NegativePrompt"/>.</summary>
    public float TrueCfgScale { get; init; } = 1f;

    /// <summary>diffusers' <c>prompt_2</c>: the T5 prompt when it differs from the CLIP one; null means <see cref="Prompt"/>.</summary>
    public string? Prompt2 { get; init; }

    /// <summary>
    /// The input image of image-to-image and inpainting, by reference (a file for the CLI, a blob of the job's
    /// container for the service): the pixels are read, checked and passed to the pipeline by the caller.
    /// </summary>
    public string? Image { get; init; }

    /// <summary>
    /// How much of the schedule runs on the input image (diffusers' <c>strength</c>, 0 to 1): the last
    /// floor(steps·strength) steps. 1 (the default) starts from pure noise; below 1 it needs an <see cref="Image"/>.
    /// </summary>
    public float Strength { get; init; } = 1f;

    /// <summary>The inpainting mask, by reference like <see cref="Image"/> (white = repaint); needs an <see cref="Image"/>.</summary>
    public string? Mask { get; init; }

    /// <summary>The output file format: "png" (default), "jpeg" or "webp".</summary>
    public string Format { get; init; } = "png";

    /// <summary>JPEG/WebP quality 1 to 100 (null: <see cref="ImageFormats.DefaultQuality"/>); not for PNG.</summary>
    public int? Quality { get; init; }

    /// <summary>True when each velocity is the true-CFG combination of the prompt and the negative prompt.</summary>
    [JsonIgnore]
    public bool UsesTrueCfg => TrueCfgScale > 1f && NegativePrompt is not null;

    /// <summary>The parsed <see cref="Format"/> (png when the name is not one; <see cref="Problems"/> reports that).</summary>
    [JsonIgnore]
    public ImageFormat OutputFormat => ImageFormats.TryParse(Format, out var format) ? format : ImageFormat.Png;

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

        // Checked before any work: prompts go into the image's text metadata, which cannot hold U+0000.
        Add("prompt", NullCharacterProblem("prompt", Prompt));
        Add("negativePrompt", NullCharacterProblem("negativePrompt", NegativePrompt));
        Add("prompt2", NullCharacterProblem("prompt2", Prompt2));

        Add("width", limits.WidthProblem(Width));
        Add("height", limits.HeightProblem(Height));
        Add("steps", limits.StepsProblem(Steps));
        Add("guidance", GenerationLimits.GuidanceProblem(Guidance));
        Add("sampler", GenerationLimits.SamplerProblem(Sampler));
        if (ImageIndex < 0)
        {
            problems.Add(new("imageIndex", $"image index {ImageIndex} is out of range: it must be 0 or more"));
        }

        Add("trueCfgScale", GenerationLimits.TrueCfgScaleProblem(TrueCfgScale, NegativePrompt is not null));
        Add("strength", GenerationLimits.StrengthProblem(Strength, Image is not null));
        if (Mask is not null && Image is null)
        {
            problems.Add(new("mask", "mask needs an image to inpaint: give image too"));
        }

        if (!ImageFormats.TryParse(Format, out var format))
        {
            problems.Add(new(ImageFormats.Field, $"format '{Format}' is not one of {ImageFormats.AllowedNames}"));
        }
        else
        {
            Add(ImageFormats.QualityField, ImageFormats.QualityProblem(format, Quality));
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

    /// <summary>The image metadata recording these settings (PNG text chunks, EXIF/XMP comments); optional features only when on.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> PngText(string model)
    {
        List<KeyValuePair<string, string>> text =
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
        if (Prompt2 is not null)
        {
            text.Add(new("prompt2", Prompt2));
        }

        if (NegativePrompt is not null)
        {
            text.Add(new("negative-prompt", NegativePrompt));
            text.Add(new("true-cfg-scale", TrueCfgScale.ToString("R", CultureInfo.InvariantCulture)));
        }

        if (Image is not null)
        {
            text.Add(new("image", Image));
            text.Add(new("strength", Strength.ToString("R", CultureInfo.InvariantCulture)));
        }

        if (Mask is not null)
        {
            text.Add(new("mask", Mask));
        }

        return text;
    }

    private static string? NullCharacterProblem(string field, string? text) => text?.IndexOf('\0', StringComparison.Ordinal) is >= 0 and int at
        ? $"{field} contains a null character (U+0000) at position {at}; image text metadata cannot hold it"
        : null;
}
