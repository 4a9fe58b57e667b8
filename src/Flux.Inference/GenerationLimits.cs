using System.Globalization;
using Flux.Core;
using Flux.Inference.Packages;

namespace Flux.Inference;

/// <summary>
/// What an entry point accepts, and the one place each setting's rule is written down: the pipeline
/// checks <see cref="GenerationSettings"/> against <see cref="Pipeline"/> (what Denoise can run); a
/// service narrows the maxima with its own settings (never widens them: its options are validated
/// against the pipeline's at start-up) and reads the same rules, so a request it accepts cannot fail
/// later in Denoise. Each check returns the problem in words ("width 1000 is not a multiple of 16"),
/// or null, for callers that report every bad field at once.
/// </summary>
/// <param name="FixedWidth">Set when the model renders this width only (the reference package).</param>
/// <param name="FixedHeight">Set when the model renders this height only.</param>
public sealed record GenerationLimits(
    int MaxWidth = GenerationSettings.MaxSide,
    int MaxHeight = GenerationSettings.MaxSide,
    int MaxSteps = GenerationSettings.MaxSteps,
    int? FixedWidth = null,
    int? FixedHeight = null)
{
    /// <summary>The pipeline's own limits, with no model's fixed size.</summary>
    public static GenerationLimits Pipeline { get; } = new();

    /// <summary>The pipeline's limits with <paramref name="package"/>'s fixed size, if it has one.</summary>
    public static GenerationLimits For(ModelPackage? package) =>
        package is null ? Pipeline : new GenerationLimits(FixedWidth: package.FixedWidth, FixedHeight: package.FixedHeight);

    public string? WidthProblem(int width) => SideProblem("width", width, MaxWidth, FixedWidth);

    public string? HeightProblem(int height) => SideProblem("height", height, MaxHeight, FixedHeight);

    public string? StepsProblem(int steps) => steps < GenerationSettings.MinSteps || steps > MaxSteps
        ? Invariant($"steps {steps} is out of range: it must be between {GenerationSettings.MinSteps} and {MaxSteps}")
        : null;

    public static string? GuidanceProblem(float guidance) =>
        !float.IsFinite(guidance) || guidance is < GenerationSettings.MinGuidance or > GenerationSettings.MaxGuidance
            ? Invariant($"guidance {guidance} is out of range: it must be a finite number between {GenerationSettings.MinGuidance} and {GenerationSettings.MaxGuidance}")
            : null;

    public static string? TrueCfgScaleProblem(float scale, bool hasNegativePrompt) =>
        !float.IsFinite(scale) || scale is < GenerationSettings.MinTrueCfgScale or > GenerationSettings.MaxTrueCfgScale
            ? Invariant($"trueCfgScale {scale} is out of range: it must be a finite number between {GenerationSettings.MinTrueCfgScale} (off) and {GenerationSettings.MaxTrueCfgScale}")
            : scale > 1f && !hasNegativePrompt
                ? Invariant($"trueCfgScale {scale} needs a negativePrompt (\"\" for the empty prompt)")
                : null;

    public static string? StrengthProblem(float strength, bool hasImage) =>
        !float.IsFinite(strength) || strength is < GenerationSettings.MinStrength or > GenerationSettings.MaxStrength
            ? Invariant($"strength {strength} is out of range: it must be a finite number between {GenerationSettings.MinStrength} and {GenerationSettings.MaxStrength}")
            : strength < 1f && !hasImage
                ? Invariant($"strength {strength} needs an image to start from: give image too, or strength 1 for text-to-image")
                : null;

    /// <summary>Sampler names are matched without regard to case ("RK4" is rk4).</summary>
    /// <param name="quote">How the message shows the value (a service escapes and shortens untrusted text); 'value' by default.</param>
    public static string? SamplerProblem(string? sampler, Func<string?, string>? quote = null) => Samplers.Names.Contains(sampler?.ToLowerInvariant())
        ? null
        : $"sampler {(quote is null ? $"'{sampler}'" : quote(sampler))} is not one of {string.Join(", ", Samplers.Names)}";

    private static string? SideProblem(string field, int value, int max, int? fixedSize)
    {
        if (value < GenerationSettings.MinSide || value > max)
        {
            return Invariant($"{field} {value} is out of range: it must be between {GenerationSettings.MinSide} and {max} pixels");
        }

        if (value % FluxConstants.SizeMultiple != 0)
        {
            return Invariant($"{field} {value} is not a multiple of {FluxConstants.SizeMultiple}");
        }

        return fixedSize is int only && value != only
            ? Invariant($"{field} {value} is not supported by this model package: it renders {field} {only} only")
            : null;
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}

/// <summary>One setting outside its allowed range: the field ("width", "steps") and what is wrong with its value.</summary>
public readonly record struct SettingsProblem(string Field, string Message);
