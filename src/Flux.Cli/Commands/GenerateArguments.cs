using System.ComponentModel;
using System.Globalization;
using Flux.Core;
using Flux.Inference;
using Flux.Inference.Imaging;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Flux.Cli.Commands;

/// <summary>Options of `flux generate`; text options are parsed in <see cref="Validate"/> so that errors name the option.</summary>
public sealed partial class GenerateArguments : InferenceArguments
{
    public const int MaxCount = 64;

    [CommandArgument(0, "[PROMPT]")]
    [Description("What to draw; @FILE reads a prompt list as --prompts FILE does, - reads it from standard input")]
    public string? Prompt { get; init; }

    [CommandOption("--prompts <FILE>")]
    [Description("Prompt list: .txt (one prompt a line, # comments) or .jsonl (one item a line, e.g. {\"prompt\": \"a cat\", \"seed\": 7, \"size\": \"square\"}); - for standard input")]
    public string? Prompts { get; init; }

    [CommandOption("-o|--output <FILE>")]
    [Description("Image to write; its extension (.png, .jpg, .webp) picks the format. Several images: FILE-0.png, FILE-1.png, ...")]
    public string Output { get; init; } = "out.png";

    [CommandOption("--format <FORMAT>")]
    [Description("png, jpeg or webp (default: from the extension of -o); must agree with that extension")]
    public string? Format { get; init; }

    [CommandOption("--quality <Q>")]
    [Description("JPEG/WebP quality, 1 to 100 (default 90)")]
    public string? Quality { get; init; }

    [CommandOption("--width <PIXELS>")]
    [Description("Image width, a multiple of 16 (default: the model's)")]
    public string? Width { get; init; }

    [CommandOption("--height <PIXELS>")]
    [Description("Image height, a multiple of 16 (default: the model's)")]
    public string? Height { get; init; }

    [CommandOption("--size <PRESET>")]
    [Description("Size preset instead of --width/--height: square_hd, square, portrait_4_3, portrait_16_9, landscape_4_3, landscape_16_9")]
    public string? Size { get; init; }

    [CommandOption("--steps <N>")]
    [Description("Sampler steps, 1 to 1000 (default: the model's)")]
    public string? Steps { get; init; }

    [CommandOption("--guidance <G>")]
    [Description("Guidance for dev models, 0 to 100 (default: the model's)")]
    public string? Guidance { get; init; }

    [CommandOption("--seed <SEED>")]
    [Description("Noise seed, a whole number; the same seed gives the same image (default 0)")]
    public string? Seed { get; init; }

    [CommandOption("--sampler <NAME>")]
    [Description("euler, heun or rk4")]
    public string Sampler { get; init; } = "euler";

    [CommandOption("--count <N>")]
    [Description("Images per prompt in one batch, 1 to 64 (image i uses noise stream i of the seed)")]
    public string? Count { get; init; }

    [CommandOption("--checkpoint-dir <DIR>")]
    [Description("Write the sampler state here after every step")]
    public string? CheckpointDir { get; init; }

    [CommandOption("--resume")]
    [Description("Continue from the checkpoint in --checkpoint-dir (refused if the settings differ from the checkpoint's)")]
    public bool Resume { get; init; }

    /// <summary>The command line's settings, which every prompt starts from (a .jsonl item may override them); null = the model's default (or the feature off).</summary>
    internal PromptItem Defaults { get; private set; } = new();

    internal int CountValue { get; private set; } = 1;

    internal ImageFormat FormatValue { get; private set; }

    internal int? QualityValue { get; private set; }

    public override ValidationResult Validate()
    {
        var common = base.Validate();
        if (!common.Successful)
        {
            return common;
        }

        if ((Prompt is null) == (Prompts is null))
        {
            return CliErrors.Invalid(Prompt is null ? "PROMPT" : "--prompts", Prompt is null ? "is required" : "cannot be combined with PROMPT",
                "either PROMPT (or @FILE, -) or --prompts FILE");
        }

        string sides = $"multiples of {FluxConstants.SizeMultiple} from {GenerationSettings.MinSide} to {GenerationSettings.MaxSide}";
        if (Side("--width", Width, sides, out int? width) is { } badWidth)
        {
            return badWidth;
        }

        if (Side("--height", Height, sides, out int? height) is { } badHeight)
        {
            return badHeight;
        }

        SizePreset? preset = null;
        if (Size is not null)
        {
            if (Width is not null || Height is not null)
            {
                return CliErrors.Invalid("--size", "cannot be combined with " + (Width is not null ? "--width" : "--height"), "either --size PRESET or --width/--height");
            }

            preset = SizePreset.Find(Size);
            if (preset is null)
            {
                return CliErrors.Invalid("--size", $"'{Size}' is not a size preset", SizePreset.AllowedNames);
            }
        }

        if (Optional("--steps", Steps, GenerationSettings.MinSteps, GenerationSettings.MaxSteps, 0, out int steps) is { } badSteps)
        {
            return badSteps;
        }

        if (Optional("--guidance", Guidance, GenerationSettings.MinGuidance, GenerationSettings.MaxGuidance, out float? guidance) is { } badGuidance)
        {
            return badGuidance;
        }

        long seed = 0;
        if (Seed is not null && !long.TryParse(Seed, NumberStyles.Integer, CultureInfo.InvariantCulture, out seed))
        {
            return CliErrors.Invalid("--seed", $"'{Seed}' is not a whole number", "whole numbers from -2^63 to 2^63-1");
        }

        if (!Samplers.Names.Contains(Sampler.ToLowerInvariant()))
        {
            return CliErrors.Invalid("--sampler", $"'{Sampler}' is not a sampler", string.Join(", ", Samplers.Names));
        }

        if (Optional("--count", Count, 1, MaxCount, 1, out int count) is { } badCount)
        {
            return badCount;
        }

        if (Resume && CheckpointDir is null)
        {
            return CliErrors.Invalid("--resume", "needs a checkpoint folder", "--resume together with --checkpoint-dir <DIR>");
        }

        if (OutputFormat(out var format, out int? quality) is { } badFormat)
        {
            return badFormat;
        }

        if (ImageOptions(out float? trueCfg, out float? strength) is { } badImageOption)
        {
            return badImageOption;
        }

        if (PreviewOptions(out var previewFormat, out int previewEvery) is { } badPreview)
        {
            return badPreview;
        }

        return Set(() =>
        {
            Defaults = new PromptItem(
                Width: preset?.Width ?? width, Height: preset?.Height ?? height, Steps: Steps is null ? null : steps, Guidance: guidance,
                Seed: Seed is null ? null : seed, Sampler: Sampler.ToLowerInvariant(),
                NegativePrompt: NegativePrompt, TrueCfgScale: trueCfg, Prompt2: Prompt2, Image: Image, Strength: strength, Mask: Mask);
            (CountValue, FormatValue, QualityValue) = (count, format, quality);
            (PreviewFormat, PreviewInterval) = (previewFormat, previewEvery);
        });
    }

    private static ValidationResult? Side(string option, string? text, string allowed, out int? value)
    {
        value = null;
        if (text is null)
        {
            return null;
        }

        if (CliErrors.ParseInt(option, text, GenerationSettings.MinSide, GenerationSettings.MaxSide, allowed, out int side) is { } bad)
        {
            return bad;
        }

        value = side;
        return side % FluxConstants.SizeMultiple == 0 ? null : CliErrors.Invalid(option, $"{side} is not a multiple of {FluxConstants.SizeMultiple}", allowed);
    }
}
