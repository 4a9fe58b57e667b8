using System.ComponentModel;
using System.Globalization;
using Flux.ModelBuilder.Import;
using Flux.ModelBuilder.Tiny;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Flux.Cli.Commands;

/// <summary>`flux model import SOURCE --out DIR`: builds our own ONNX package from a FLUX.1 checkpoint.</summary>
public sealed class ModelImportCommand(IAnsiConsole console) : Command<ModelImportCommand.Settings>
{
    /// <summary>Options of `flux model import`.</summary>
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<SOURCE>")]
        [Description("A FLUX.1 folder laid out like the Hugging Face repos (model_index.json, text_encoder/, text_encoder_2/, tokenizer/, tokenizer_2/, transformer/, vae/).")]
        public string Source { get; init; } = string.Empty;

        [CommandOption("--out <DIR>")]
        [Description("Package folder to create (must not exist, unless --force).")]
        public string? Out { get; init; }

        [CommandOption("--force")]
        [Description("Replace an existing package folder.")]
        public bool Force { get; init; }

        [CommandOption("--transformer <FILE>")]
        [Description("BFL's single transformer file (flux1-schnell.safetensors, flux1-dev.safetensors) instead of SOURCE/transformer.")]
        public string? Transformer { get; init; }

        [CommandOption("--vae <FILE>")]
        [Description("BFL's ae.safetensors instead of SOURCE/vae.")]
        public string? Vae { get; init; }

        [CommandOption("--variant <VARIANT>")]
        [Description("auto (default: dev when the checkpoint has a guidance embedding), schnell or dev.")]
        public string Variant { get; init; } = "auto";

        [CommandOption("--precision <PRECISION>")]
        [Description("Weight storage type: fp32 (default, exact), fp16 or bf16 (compute stays fp32).")]
        public string Precision { get; init; } = "fp32";

        [CommandOption("--quantize <KIND>")]
        [Description("none (default) or int4: the transformer's block linears as 4-bit blocks for ONNX Runtime's MatMulNBits (after the LoRA merge).")]
        public string? Quantize { get; init; }

        [CommandOption("--block-size <N>")]
        [Description("With --quantize int4: weights per 4-bit block, 32, 64 (default) or 128; smaller is more exact and larger.")]
        public string? BlockSize { get; init; }

        [CommandOption("--lora <FILE[:SCALE]>")]
        [Description("A LoRA merged into the transformer (repeatable; scale defaults to 1).")]
        public string[] Lora { get; init; } = [];

        [CommandOption("--lora-ignore-unknown")]
        [Description("Skip LoRA keys that match no transformer weight instead of failing.")]
        public bool LoraIgnoreUnknown { get; init; }

        /// <inheritdoc/>
        public override ValidationResult Validate()
        {
            if (string.IsNullOrWhiteSpace(Out))
            {
                return CliErrors.Invalid("--out", "is required", "a folder path");
            }

            if (Variant is not ("auto" or "schnell" or "dev"))
            {
                return CliErrors.Invalid("--variant", $"'{Variant}' is not a variant", "auto, schnell, dev");
            }

            if (Precision is not ("fp32" or "fp16" or "bf16"))
            {
                return CliErrors.Invalid("--precision", $"'{Precision}' is not a precision", "fp32, fp16, bf16");
            }

            foreach (var lora in Lora)
            {
                if (ParseLora(lora) is null)
                {
                    return CliErrors.Invalid("--lora", $"'{lora}' has a scale that is not a finite number", "FILE or FILE:SCALE, e.g. style.safetensors:0.8");
                }
            }

            return ValidationResult.Success();
        }

        internal ImportRequest ToRequest() => new()
        {
            Source = Source,
            Output = Out!,
            Force = Force,
            TransformerFile = Transformer,
            VaeFile = Vae,
            Variant = Variant switch { "schnell" => FluxVariant.Schnell, "dev" => FluxVariant.Dev, _ => null },
            Precision = Enum.Parse<WeightPrecision>(Precision, ignoreCase: true),
            Int4 = QuantizeOption.Parse(Quantize, BlockSize),
            Loras = [.. Lora.Select(l => ParseLora(l)!)],
            LoraIgnoreUnknown = LoraIgnoreUnknown,
        };

        /// <summary>"path" or "path:scale"; a colon followed by no number belongs to the path (C:\ on Windows).</summary>
        private static LoraSpec? ParseLora(string text)
        {
            var colon = text.LastIndexOf(':');
            if (colon <= 0 || colon == text.Length - 1 || text[(colon + 1)..].Contains('\\') || text[(colon + 1)..].Contains('/'))
            {
                return new LoraSpec(text);
            }

            return float.TryParse(text[(colon + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out var scale) && float.IsFinite(scale)
                ? new LoraSpec(text[..colon], scale)
                : null;
        }
    }

    /// <inheritdoc/>
    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var request = settings.ToRequest();
        ImportManifest manifest;
        try
        {
            manifest = console.Progress()
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new DownloadedColumn())
                .Start(progressContext => ModelImporter.Import(request, new SpectreImportProgress(progressContext)));
        }
        catch (Exception ex) when (ex is ImportException or InvalidDataException or FileNotFoundException)
        {
            throw new CliUsageException(ex.Message.ReplaceLineEndings(" "), ex);
        }

        var storage = manifest.Int4BlockSize is { } block ? string.Create(CultureInfo.InvariantCulture, $"{manifest.Precision}, int4 blocks of {block}") : manifest.Precision;
        console.MarkupLine(string.Create(CultureInfo.InvariantCulture,
            $"Imported FLUX.1-[bold]{manifest.Variant}[/] ({storage}) into {Markup.Escape(Path.GetFullPath(request.Output))} from {manifest.Sources.Count} files"));
        return 0;
    }

    /// <summary>One progress bar per component, in bytes; the checksums bar advances from the hashing thread, so updates take a lock.</summary>
    private sealed class SpectreImportProgress(ProgressContext context) : IImportProgress
    {
        private readonly Dictionary<string, ProgressTask> _tasks = new(StringComparer.Ordinal);
        private readonly Lock _gate = new();

        public void Begin(string component, long totalBytes)
        {
            lock (_gate)
            {
                _tasks[component] = context.AddTask(Markup.Escape(component), maxValue: Math.Max(1, totalBytes));
            }
        }

        public void Advance(string component, long bytes)
        {
            lock (_gate)
            {
                _tasks[component].Increment(bytes);
            }
        }
    }
}
