using System.ComponentModel;
using Flux.Core;
using Flux.Inference;
using Flux.Inference.Imaging;
using Flux.Inference.Stages;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Flux.Cli.Commands;

/// <summary>`flux generate PROMPT`: prompt -> PNG(s) with a progress bar; same seed, same bytes; never a partial file.</summary>
public sealed class GenerateCommand(IAnsiConsole console) : Command<GenerateCommand.Arguments>
{
    public const string CheckpointExtension = ".fluxckpt";
    private const int MaxCount = 64;

    public sealed class Arguments : InferenceArguments
    {
        [CommandArgument(0, "<PROMPT>")]
        [Description("What to draw")]
        public string Prompt { get; init; } = string.Empty;

        [CommandOption("-o|--output <FILE>")]
        [Description("PNG to write (with --count N > 1: FILE-0.png, FILE-1.png, ...)")]
        public string Output { get; init; } = "out.png";

        [CommandOption("--width <PIXELS>")]
        [Description("Image width, a multiple of 16 (default: the model's)")]
        public string? Width { get; init; }

        [CommandOption("--height <PIXELS>")]
        [Description("Image height, a multiple of 16 (default: the model's)")]
        public string? Height { get; init; }

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
        [Description("Images to generate in one batch, 1 to 64 (image i uses noise stream i of the seed)")]
        public string? Count { get; init; }

        [CommandOption("--checkpoint-dir <DIR>")]
        [Description("Write the sampler state here after every step")]
        public string? CheckpointDir { get; init; }

        [CommandOption("--resume")]
        [Description("Continue from the checkpoint in --checkpoint-dir")]
        public bool Resume { get; init; }

        internal int? WidthValue { get; private set; }

        internal int? HeightValue { get; private set; }

        internal int? StepsValue { get; private set; }

        internal float? GuidanceValue { get; private set; }

        internal long SeedValue { get; private set; }

        internal int CountValue { get; private set; } = 1;

        public override ValidationResult Validate()
        {
            var common = base.Validate();
            if (!common.Successful)
            {
                return common;
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

            if (Optional("--steps", Steps, GenerationSettings.MinSteps, GenerationSettings.MaxSteps, 0, out int steps) is { } badSteps)
            {
                return badSteps;
            }

            if (Optional("--guidance", Guidance, GenerationSettings.MinGuidance, GenerationSettings.MaxGuidance, out float? guidance) is { } badGuidance)
            {
                return badGuidance;
            }

            long seed = 0;
            if (Seed is not null && !long.TryParse(Seed, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out seed))
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

            return Set(() => (WidthValue, HeightValue, StepsValue, GuidanceValue, SeedValue, CountValue) =
                (width, height, Steps is null ? null : steps, guidance, seed, count));
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

    public override int Execute(CommandContext context, Arguments arguments, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        using var pipeline = FluxPipeline.Open(ModelArgument.Resolve(arguments.Model), arguments.ToOptions());
        var batch = Batch(pipeline, arguments);
        foreach (var settings in batch)
        {
            ModelArgument.AsUsageError(() => { settings.Validate(pipeline.Package); return 0; });
        }

        string? checkpointPath = arguments.CheckpointDir is null ? null : Path.Combine(arguments.CheckpointDir, CheckpointName(pipeline.Package.Directory, batch));
        SamplerCheckpoint? resumeFrom = null;
        if (arguments.Resume && File.Exists(checkpointPath))
        {
            using var stream = File.OpenRead(checkpointPath);
            resumeFrom = SamplerCheckpoint.ReadFrom(stream);
        }

        IReadOnlyList<GeneratedImage> images = [];
        console.Progress().Start(progressContext =>
        {
            var task = progressContext.AddTask("denoising", maxValue: batch[0].Steps);
            task.Value = resumeFrom?.Step ?? 0;
            images = pipeline.Generate(batch, new GenerateOptions
            {
                ResumeFrom = resumeFrom,
                OnCheckpoint = checkpointPath is null ? null : state => AtomicFile.Write(checkpointPath, state.WriteTo),
                Progress = new StepSink(p => task.Value = p.Step),
            }, cancellationToken);
        });

        // PNG encoding is the slowest step outside ONNX Runtime (docs/benchmarks.md): a batch's images are encoded in parallel.
        var paths = images.AsParallel().AsOrdered().Select((image, i) =>
        {
            string path = OutputPath(arguments.Output, i, images.Count);
            using (image)
            {
                image.Save(path);
            }

            return path;
        }).ToList();
        foreach (string path in paths)
        {
            console.MarkupLineInterpolated($"wrote [green]{path}[/]");
        }

        if (checkpointPath is not null)
        {
            File.Delete(checkpointPath);
        }

        return 0;
    }

    private static List<GenerationSettings> Batch(FluxPipeline pipeline, Arguments arguments)
    {
        var defaults = GenerationSettings.Defaults(pipeline.Package, arguments.Prompt);
        var first = defaults with
        {
            Width = arguments.WidthValue ?? defaults.Width,
            Height = arguments.HeightValue ?? defaults.Height,
            Steps = arguments.StepsValue ?? defaults.Steps,
            Guidance = arguments.GuidanceValue ?? defaults.Guidance,
            Seed = arguments.SeedValue,
            Sampler = arguments.Sampler.ToLowerInvariant(),
        };
        return Enumerable.Range(0, arguments.CountValue).Select(i => first with { ImageIndex = i }).ToList();
    }

    /// <summary>
    /// One checkpoint file per distinct run (model, prompts, seeds, size, steps, guidance, sampler), so
    /// --resume can only continue the run it belongs to.
    /// </summary>
    public static string CheckpointName(string modelDirectory, IReadOnlyList<GenerationSettings> batch)
    {
        string identity = modelDirectory + "\n" + string.Join("\n", batch);
        ulong hash = System.IO.Hashing.XxHash64.HashToUInt64(System.Text.Encoding.UTF8.GetBytes(identity));
        return $"generate-{hash:x16}{CheckpointExtension}";
    }

    private static string OutputPath(string output, int index, int count) => count == 1
        ? output
        : Path.Combine(Path.GetDirectoryName(output) ?? string.Empty, $"{Path.GetFileNameWithoutExtension(output)}-{index}{Path.GetExtension(output)}");
}

/// <summary>Reports synchronously on the sampling thread (Progress&lt;T&gt; would post to a context).</summary>
internal sealed class StepSink(Action<DenoiseProgress> report) : IProgress<DenoiseProgress>
{
    public void Report(DenoiseProgress value) => report(value);
}
