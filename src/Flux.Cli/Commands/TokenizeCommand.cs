using System.ComponentModel;
using System.Globalization;
using System.Text.Json;
using Flux.Inference.Packages;
using Flux.Inference.Text;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Flux.Cli.Commands;

/// <summary>
/// `flux tokenize`: the CLIP and T5 input ids FLUX would feed its text encoders for a prompt. Needs only the
/// package's tokenizer files (<c>tokenizer/vocab.json</c>, <c>tokenizer/merges.txt</c>, <c>tokenizer_2/spiece.model</c>,
/// or where flux.json's clipTokenizer/t5Tokenizer point), no ONNX sessions.
/// </summary>
public sealed class TokenizeCommand(IAnsiConsole console) : Command<TokenizeCommand.Settings>
{
    /// <summary>A bound against typos; FLUX uses 256 (schnell) or 512 (dev).</summary>
    public const int MaxT5Length = 4096;

    /// <summary>Options of `flux tokenize`.</summary>
    public sealed class Settings : CommandSettings
    {
        /// <summary>The prompt (trimmed before encoding).</summary>
        [CommandArgument(0, "<PROMPT>")]
        [Description("The prompt to tokenize (leading and trailing whitespace is ignored).")]
        public string Prompt { get; init; } = string.Empty;

        /// <summary>The model package folder, or a built-in package name.</summary>
        [CommandOption("--model <MODEL>")]
        [Description(ModelArgument.Description + " (only its tokenizer files are read)")]
        public string Model { get; init; } = ModelArgument.Default;

        /// <summary>T5 length (text, parsed in <see cref="Validate"/>).</summary>
        [CommandOption("--t5-max-length <N>")]
        [Description("T5 ids to produce. Default: flux.json's t5MaxLength, else 512 for a dev package, else 256.")]
        public string? T5MaxLength { get; init; }

        /// <summary>Print JSON instead of text.</summary>
        [CommandOption("--json")]
        [Description("Print exactly {\"clip\":[[77 ids]],\"t5\":[[N ids]]} on stdout.")]   // [[ ]] : help text is Spectre markup
        public bool Json { get; init; }

        /// <summary>The validated T5 length, when given.</summary>
        internal int? ParsedT5MaxLength { get; private set; }

        /// <inheritdoc/>
        public override ValidationResult Validate()
        {
            if (!ModelArgument.IsValid(Model))
            {
                return ModelArgument.NotAModel("--model", Model);
            }

            if (T5MaxLength is not null)
            {
                ValidationResult? failure = CliErrors.ParseInt("--t5-max-length", T5MaxLength, T5Tokenizer.MinLength, MaxT5Length, out int length);
                if (failure is not null)
                {
                    return failure;
                }

                ParsedT5MaxLength = length;
            }

            return ValidationResult.Success();
        }
    }

    /// <inheritdoc/>
    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        string model = ModelArgument.Resolve(settings.Model);
        var manifest = FluxManifest.Load(model);
        var (clipVocab, clipMerges, t5SentencePiece) = PackageFiles.LocateTokenizers(model, manifest);
        var clip = ClipTokenizer.FromFiles(clipVocab, clipMerges);
        var t5 = T5Tokenizer.FromFile(t5SentencePiece, settings.ParsedT5MaxLength ?? PackageT5Length(manifest));
        long[] clipIds = clip.Encode(settings.Prompt);
        long[] t5Ids = t5.Encode(settings.Prompt);

        if (settings.Json)
        {
            console.Profile.Out.Writer.WriteLine(ToJson(clipIds, t5Ids));
            return 0;
        }

        console.MarkupLine(Invariant($"[bold]clip[/] ({clipIds.Length} ids): {string.Join(' ', clipIds)}"));
        console.MarkupLine(Invariant($"[bold]t5[/] ({t5Ids.Length} ids): {string.Join(' ', t5Ids)}"));
        return 0;
    }

    /// <summary>Exactly <c>{"clip":[...],"t5":[...]}</c>.</summary>
    public static string ToJson(ReadOnlySpan<long> clipIds, ReadOnlySpan<long> t5Ids)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            WriteIds(json, "clip", clipIds);
            WriteIds(json, "t5", t5Ids);
            json.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    private static void WriteIds(Utf8JsonWriter json, string name, ReadOnlySpan<long> ids)
    {
        json.WriteStartArray(name);
        foreach (long id in ids)
        {
            json.WriteNumberValue(id);
        }

        json.WriteEndArray();
    }

    /// <summary>flux.json's t5MaxLength, else 512 for a dev package, else 256 (DESIGN section 3 defaults).</summary>
    private static int PackageT5Length(FluxManifest manifest) =>
        manifest.T5MaxLength
        ?? (string.Equals(manifest.Variant, "dev", StringComparison.OrdinalIgnoreCase) ? T5Tokenizer.DevLength : T5Tokenizer.SchnellLength);

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
