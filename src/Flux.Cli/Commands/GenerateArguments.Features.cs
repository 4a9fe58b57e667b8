using System.ComponentModel;
using System.Globalization;
using Flux.Inference;
using Flux.Inference.Imaging;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Flux.Cli.Commands;

/// <summary>The options of `flux generate` that hosted FLUX APIs offer: true CFG, prompt2, image-to-image, inpainting, previews.</summary>
public sealed partial class GenerateArguments
{
    [CommandOption("--negative-prompt <TEXT>")]
    [Description("What to steer away from, with --true-cfg above 1: each velocity is v_neg + s·(v_pos − v_neg), both prompts in one batch")]
    public string? NegativePrompt { get; init; }

    [CommandOption("--true-cfg <SCALE>")]
    [Description("True classifier-free guidance scale s, 1 (off, default) to 20; above 1 it needs --negative-prompt")]
    public string? TrueCfg { get; init; }

    [CommandOption("--prompt2 <TEXT>")]
    [Description("A separate prompt for the T5 encoder (CLIP keeps PROMPT); default: PROMPT")]
    public string? Prompt2 { get; init; }

    [CommandOption("--image <FILE>")]
    [Description("Image-to-image: start from this PNG, JPEG or WebP (resized to the output size)")]
    public string? Image { get; init; }

    [CommandOption("--strength <S>")]
    [Description("How much of the schedule runs on --image, 0 (the image itself) to 1 (default: ignores the image's content)")]
    public string? Strength { get; init; }

    [CommandOption("--mask <FILE>")]
    [Description("Inpainting mask for --image (white = repaint, black = keep), PNG, JPEG or WebP")]
    public string? Mask { get; init; }

    [CommandOption("--preview <FILE>")]
    [Description("Rewrite a small preview of the current latent here every --preview-every steps (.jpg or .png)")]
    public string? Preview { get; init; }

    [CommandOption("--preview-every <N>")]
    [Description("Steps between --preview rewrites, 1 to 1000 (default 1)")]
    public string? PreviewEvery { get; init; }

    internal ImageFormat? PreviewFormat { get; private set; }

    internal int PreviewInterval { get; private set; }

    /// <summary>
    /// --true-cfg, --strength and the options they need. With a prompt list the needed option may come from the items,
    /// whose settings are checked item by item.
    /// </summary>
    private ValidationResult? ImageOptions(out float? trueCfg, out float? strength)
    {
        strength = null;
        if (Optional("--true-cfg", TrueCfg, GenerationSettings.MinTrueCfgScale, GenerationSettings.MaxTrueCfgScale, out trueCfg) is { } badScale)
        {
            return badScale;
        }

        if (Optional("--strength", Strength, GenerationSettings.MinStrength, GenerationSettings.MaxStrength, out strength) is { } badStrength)
        {
            return badStrength;
        }

        foreach (var (option, path) in new[] { ("--image", Image), ("--mask", Mask) })
        {
            if (path is not null && !File.Exists(path))
            {
                return CliErrors.Invalid(option, $"'{path}' does not exist", "a PNG, JPEG or WebP file");
            }
        }

        bool list = Prompts is not null || Prompt is ['@', ..];
        if (list)
        {
            return null;
        }

        if (trueCfg > 1f && NegativePrompt is null)
        {
            return CliErrors.Invalid("--true-cfg", string.Create(CultureInfo.InvariantCulture, $"{trueCfg} needs a negative prompt"), "--true-cfg above 1 with --negative-prompt TEXT (\"\" for the empty prompt)");
        }

        if (strength < 1f && Image is null)
        {
            return CliErrors.Invalid("--strength", string.Create(CultureInfo.InvariantCulture, $"{strength} needs an image to start from"), "--strength below 1 with --image FILE");
        }

        return Mask is not null && Image is null ? CliErrors.Invalid("--mask", "needs an image to inpaint", "--mask FILE with --image FILE") : null;
    }

    /// <summary>The preview's format from its extension (.jpg/.jpeg, .png, .webp) and the steps between rewrites.</summary>
    private ValidationResult? PreviewOptions(out ImageFormat? format, out int every)
    {
        format = null;
        if (Optional("--preview-every", PreviewEvery, 1, GenerationSettings.MaxSteps, 1, out every) is { } badEvery)
        {
            return badEvery;
        }

        if (Preview is null)
        {
            return PreviewEvery is null ? null : CliErrors.Invalid("--preview-every", "needs a preview file", "--preview-every N with --preview FILE");
        }

        format = ImageFormats.FromExtension(Preview);
        return format is null ? CliErrors.Invalid("--preview", $"'{Preview}' has no image extension", ".jpg, .jpeg, .png, .webp") : null;
    }

    /// <summary>The format from --format or -o's extension; a disagreement between the two is an error, never PNG bytes in a .jpg.</summary>
    private ValidationResult? OutputFormat(out ImageFormat format, out int? quality)
    {
        quality = null;
        ImageFormat? byExtension = ImageFormats.FromExtension(Output);
        if (Format is null)
        {
            format = byExtension ?? ImageFormat.Png;
            if (byExtension is null)
            {
                return CliErrors.Invalid("-o", $"'{Output}' has no image extension", ".png, .jpg, .jpeg, .webp (or give --format)");
            }
        }
        else if (!ImageFormats.TryParse(Format, out format))
        {
            return CliErrors.Invalid("--format", $"'{Format}' is not an image format", ImageFormats.AllowedNames);
        }
        else if (byExtension is { } implied && implied != format)
        {
            return CliErrors.Invalid("--format", $"{format.Name()} does not match -o '{Output}', a {implied.Name()} file name", $"a -o name ending in {format.Extension()} for --format {format.Name()}");
        }

        if (Quality is null)
        {
            return null;
        }

        if (CliErrors.ParseInt("--quality", Quality, ImageFormats.MinQuality, ImageFormats.MaxQuality, out int value) is { } badQuality)
        {
            return badQuality;
        }

        quality = value;
        return ImageFormats.QualityProblem(format, quality) is null ? null
            : CliErrors.Invalid("--quality", "applies to jpeg and webp only", "--quality with --format jpeg or webp (png is lossless)");
    }
}
