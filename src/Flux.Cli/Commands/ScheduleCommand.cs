using System.ComponentModel;
using System.Globalization;
using System.Text.Json;
using Flux.Core;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Flux.Cli.Commands;

/// <summary>`flux schedule`: prints the N+1 timesteps FLUX samples at for a size and shift.</summary>
public sealed class ScheduleCommand(IAnsiConsole console) : Command<ScheduleCommand.Settings>
{
    /// <summary>Options of `flux schedule`.</summary>
    public sealed class Settings : CommandSettings
    {
        /// <summary>Sampling steps N (text, parsed in <see cref="Validate"/>).</summary>
        [CommandOption("--steps <N>")]
        [Description("Number of sampling steps N (prints N+1 timesteps).")]
        public string? Steps { get; init; }

        /// <summary>Image width in pixels.</summary>
        [CommandOption("--width <W>")]
        [Description("Image width in pixels, a multiple of 16.")]
        public string? Width { get; init; }

        /// <summary>Image height in pixels.</summary>
        [CommandOption("--height <H>")]
        [Description("Image height in pixels, a multiple of 16.")]
        public string? Height { get; init; }

        /// <summary>"none", "dynamic" or a static shift.</summary>
        [CommandOption("--shift <SHIFT>")]
        [Description("none (schnell), dynamic (dev) or a static shift S > 0. Default: none.")]
        public string Shift { get; init; } = "none";

        /// <summary>Print JSON instead of a table.</summary>
        [CommandOption("--json")]
        [Description("Print exactly {\"sigmas\":[[...]]} on stdout.")]   // [[ ]] : help text is Spectre markup
        public bool Json { get; init; }

        /// <summary>The validated step count.</summary>
        internal int StepCount { get; private set; }

        /// <summary>The validated image size.</summary>
        internal ImageSize Size { get; private set; }

        /// <summary>The validated shift.</summary>
        internal ScheduleShift ParsedShift { get; private set; }

        /// <inheritdoc/>
        public override ValidationResult Validate()
        {
            if (CliErrors.ParseInt("--steps", Steps, 1, Schedule.MaxSteps, out int steps) is { } badSteps)
            {
                return badSteps;
            }

            if (ParseSide("--width", Width, out int width) is { } badWidth)
            {
                return badWidth;
            }

            if (ParseSide("--height", Height, out int height) is { } badHeight)
            {
                return badHeight;
            }

            if (!ScheduleShift.TryParse(Shift, out ScheduleShift shift))
            {
                return CliErrors.Invalid("--shift", $"'{Shift}' is not a shift", "none, dynamic or a number greater than 0");
            }

            (StepCount, Size, ParsedShift) = (steps, ImageSize.Create(width, height), shift);
            return ValidationResult.Success();
        }

        private static ValidationResult? ParseSide(string option, string? text, out int value)
        {
            string allowed = Invariant($"multiples of {FluxConstants.SizeMultiple} from {FluxConstants.SizeMultiple} to {ImageSize.MaxSide}");
            ValidationResult? failure = CliErrors.ParseInt(option, text, 1, ImageSize.MaxSide, allowed, out value);
            if (failure is not null)
            {
                return failure;
            }

            string? error = ImageSize.ValidateSide(option, value);   // "--width 1000 is not a multiple of 16"
            return error is null ? null : ValidationResult.Error($"{error} (allowed: {allowed})");
        }
    }

    /// <inheritdoc/>
    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ImageSize size = settings.Size;
        ScheduleShift shift = settings.ParsedShift;
        double[] sigmas = Schedule.Flux(settings.StepCount, size.SequenceLength, shift);

        if (settings.Json)
        {
            console.Profile.Out.Writer.WriteLine(ToJson(sigmas));
            return 0;
        }

        console.MarkupLine(Invariant($"[bold]{sigmas.Length - 1}[/] steps at {size} (L = {size.SequenceLength}), shift {Markup.Escape(Describe(shift, size))}"));
        var table = new Table().AddColumn("step").AddColumn("t");
        for (int i = 0; i < sigmas.Length; i++)
        {
            table.AddRow(Invariant($"{i}"), sigmas[i].ToString("R", CultureInfo.InvariantCulture));
        }

        console.Write(table);
        return 0;
    }

    /// <summary>Exactly <c>{"sigmas":[...]}</c>, numbers in shortest round-trip form.</summary>
    public static string ToJson(ReadOnlySpan<double> sigmas)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteStartArray("sigmas");
            foreach (double sigma in sigmas)
            {
                json.WriteNumberValue(sigma);
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    private static string Describe(ScheduleShift shift, ImageSize size) => shift.Kind == ScheduleShiftKind.Dynamic
        ? Invariant($"dynamic (mu = {TimeShift.Mu(size.SequenceLength):0.####})")
        : shift.ToString();

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
