using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using Flux.Inference;
using Flux.Inference.Sessions;
using Flux.Inference.Stages;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Flux.Cli.Commands;

/// <summary>
/// `flux bench`: in one process, end-to-end generation time (prompts to pixels) against the sum of the raw
/// InferenceSession runs inside it (their ratio is the pipeline's overhead), the PNG encoding of the result
/// timed on its own, and managed bytes allocated per sampler step on the sampling thread. With --true-cfg, each run is
/// also made with true CFG (an empty negative prompt), and the wall time of its steps is set against the plain run's.
/// </summary>
public sealed class BenchCommand(IAnsiConsole console, ErrorConsole errors) : Command<BenchCommand.Arguments>
{
    private const int DefaultSide = 512;
    private const int DefaultSteps = 8;
    private const int DefaultRuns = 3;

    /// <summary>
    /// Unmeasured generations: the first loads the sessions; .NET compiles methods unoptimized first and recompiles
    /// those called ~30 times, which takes a few generations (the first measured runs were 1.015 to 1.02 after one).
    /// </summary>
    private const int DefaultWarmUps = 5;

    public sealed class Arguments : InferenceArguments
    {
        public Arguments() => Model = "tiny";

        [CommandOption("--width <PIXELS>")]
        [Description("Image width, a multiple of 16 (default 512)")]
        public string? Width { get; init; }

        [CommandOption("--height <PIXELS>")]
        [Description("Image height, a multiple of 16 (default 512)")]
        public string? Height { get; init; }

        [CommandOption("--steps <N>")]
        [Description("Sampler steps, 2 to 1000, so steps after the first can be measured (default 8)")]
        public string? Steps { get; init; }

        [CommandOption("--runs <N>")]
        [Description("Measured runs after one warm-up run, 1 to 100 (default 3)")]
        public string? Runs { get; init; }

        [CommandOption("--warmup <N>")]
        [Description("Unmeasured generations before the runs, 1 to 100 (default 5): sessions load and the JIT optimizes the per-image code")]
        public string? WarmUp { get; init; }

        [CommandOption("--true-cfg <SCALE>")]
        [Description("Also time each run with true CFG at this scale, above 1 to 20: its step time against the plain step's")]
        public string? TrueCfg { get; init; }

        [CommandOption("--json")]
        [Description("Print one JSON object instead of a table")]
        public bool Json { get; init; }

        internal float? TrueCfgValue { get; private set; }

        internal int WidthValue { get; private set; }

        internal int HeightValue { get; private set; }

        internal int StepsValue { get; private set; }

        internal int RunsValue { get; private set; }

        internal int WarmUpValue { get; private set; }

        public override ValidationResult Validate()
        {
            var common = base.Validate();
            if (!common.Successful)
            {
                return common;
            }

            string sides = $"multiples of {Flux.Core.FluxConstants.SizeMultiple} from {GenerationSettings.MinSide} to {GenerationSettings.MaxSide}";
            if (Optional("--width", Width, GenerationSettings.MinSide, GenerationSettings.MaxSide, DefaultSide, out int width) is { } badWidth)
            {
                return badWidth;
            }

            if (Optional("--height", Height, GenerationSettings.MinSide, GenerationSettings.MaxSide, DefaultSide, out int height) is { } badHeight)
            {
                return badHeight;
            }

            if (width % Flux.Core.FluxConstants.SizeMultiple != 0 || height % Flux.Core.FluxConstants.SizeMultiple != 0)
            {
                string option = width % Flux.Core.FluxConstants.SizeMultiple != 0 ? "--width" : "--height";
                return CliErrors.Invalid(option, $"{(option == "--width" ? width : height)} is not a multiple of {Flux.Core.FluxConstants.SizeMultiple}", sides);
            }

            if (Optional("--steps", Steps, 2, GenerationSettings.MaxSteps, DefaultSteps, out int steps) is { } badSteps)
            {
                return badSteps;
            }

            if (Optional("--warmup", WarmUp, 1, 100, DefaultWarmUps, out int warmUps) is { } badWarmUps)
            {
                return badWarmUps;
            }

            if (Optional("--true-cfg", TrueCfg, GenerationSettings.MinTrueCfgScale, GenerationSettings.MaxTrueCfgScale, out float? trueCfg) is { } badScale)
            {
                return badScale;
            }

            if (trueCfg == 1f)
            {
                return CliErrors.Invalid("--true-cfg", "1 is true CFG off", string.Create(CultureInfo.InvariantCulture, $"above 1 to {GenerationSettings.MaxTrueCfgScale}"));
            }

            return Optional("--runs", Runs, 1, 100, DefaultRuns, out int runs) is { } badRuns
                ? badRuns
                : Set(() => (WidthValue, HeightValue, StepsValue, RunsValue, WarmUpValue, TrueCfgValue) = (width, height, steps, runs, warmUps, trueCfg));
        }
    }

    /// <summary>One measured generation.</summary>
    /// <param name="EndToEndMs">FluxPipeline.Generate: tokenize, encoders, noise, sampler loop, VAE, RGB pixels.</param>
    /// <param name="OverheadRatio">End-to-end / session runs: the pipeline's glue around ONNX Runtime.</param>
    /// <param name="PngEncodeMs">Encoding the generated pixels to PNG, right after the generation.</param>
    /// <param name="OverheadRatioWithPng">(end-to-end + PNG encoding) / session runs.</param>
    /// <param name="StepOverheadRatio">Wall time of sampler steps 2..N / transformer run time inside them: the per-step glue.</param>
    /// <param name="StepMs">Wall time of sampler steps 2..N, per step.</param>
    public sealed record BenchRun(double EndToEndMs, double SessionRunMs, long SessionRuns, double OverheadRatio, double PngEncodeMs, double OverheadRatioWithPng, double StepOverheadRatio, long AllocatedBytesPerStep, double StepMs)
    {
        /// <summary>With --true-cfg: the same generation with true CFG, whose transformer runs a batch of 2 per evaluation.</summary>
        public BenchRun? TrueCfg { get; init; }

        /// <summary>With --true-cfg: <see cref="StepMs"/> of the true CFG run / this run's (two transformer runs would be about 2).</summary>
        public double? TrueCfgStepRatio => TrueCfg is null ? null : Math.Round(TrueCfg.StepMs / StepMs, 4);
    }

    public override int Execute(CommandContext context, Arguments arguments, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        var (pipeline, provider) = DeviceChoice.Resolve(arguments, errors).Open(ModelArgument.Resolve(arguments.Model), errors);
        using var owned = pipeline;
        var settings = GenerationSettings.Defaults(pipeline.Package, "a red circle on a blue background") with
        {
            Width = arguments.WidthValue,
            Height = arguments.HeightValue,
            Steps = arguments.StepsValue,
        };
        var guided = arguments.TrueCfgValue is { } scale ? settings with { NegativePrompt = string.Empty, TrueCfgScale = scale } : null;
        for (int i = 0; i < arguments.WarmUpValue; i++)
        {
            Measure(pipeline, settings, guided, cancellationToken);
        }

        var runs = Enumerable.Range(0, arguments.RunsValue).Select(_ => Measure(pipeline, settings, guided, cancellationToken)).ToList();
        var best = runs.MinBy(r => r.OverheadRatio)!;
        var report = new
        {
            model = pipeline.Package.Name,
            width = settings.Width,
            height = settings.Height,
            steps = settings.Steps,
            provider,
            warmUps = arguments.WarmUpValue,
            runs,
            bestOverheadRatio = best.OverheadRatio,
            medianOverheadRatio = runs.Select(r => r.OverheadRatio).Order().ElementAt(runs.Count / 2),
            medianOverheadRatioWithPng = runs.Select(r => r.OverheadRatioWithPng).Order().ElementAt(runs.Count / 2),
            medianStepOverheadRatio = runs.Select(r => r.StepOverheadRatio).Order().ElementAt(runs.Count / 2),
            maxAllocatedBytesPerStep = runs.Max(r => r.AllocatedBytesPerStep),
            medianTrueCfgStepRatio = guided is null ? (double?)null : runs.Select(r => r.TrueCfgStepRatio!.Value).Order().ElementAt(runs.Count / 2),
        };
        if (arguments.Json)
        {
            CliJson.Write(console, report);
            return 0;
        }

        var table = new Table().AddColumn("run").AddColumn("end-to-end ms").AddColumn("session runs ms").AddColumn("runs").AddColumn("overhead ratio").AddColumn("PNG ms").AddColumn("ratio with PNG").AddColumn("step ratio").AddColumn("bytes/step").AddColumn("step ms");
        if (guided is not null)
        {
            table.AddColumn("true CFG step ms").AddColumn("true CFG / plain step");
        }

        for (int i = 0; i < runs.Count; i++)
        {
            var r = runs[i];
            string[] cells = [Text(i + 1), Text(r.EndToEndMs), Text(r.SessionRunMs), Text(r.SessionRuns), Text(r.OverheadRatio), Text(r.PngEncodeMs), Text(r.OverheadRatioWithPng), Text(r.StepOverheadRatio), Text(r.AllocatedBytesPerStep), Text(r.StepMs)];
            table.AddRow(r.TrueCfg is null ? cells : [.. cells, Text(r.TrueCfg.StepMs), Text(r.TrueCfgStepRatio!.Value)]);
        }

        console.Write(table);
        return 0;
    }

    private static BenchRun Measure(FluxPipeline pipeline, GenerationSettings settings, GenerationSettings? guided, CancellationToken cancellationToken)
    {
        var plain = Measure(pipeline, settings, cancellationToken);
        return guided is null ? plain : plain with { TrueCfg = Measure(pipeline, guided, cancellationToken) };
    }

    private static BenchRun Measure(FluxPipeline pipeline, GenerationSettings settings, CancellationToken cancellationToken)
    {
        using var measured = RunStatistics.BeginScope();
        var allocation = new AllocationProbe(settings.Steps, measured.Statistics);
        long start = Stopwatch.GetTimestamp();
        using var image = pipeline.Generate(settings, new GenerateOptions { Progress = allocation }, cancellationToken);
        double endToEnd = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        double inRuns = measured.Statistics.Elapsed.TotalMilliseconds;
        long runs = measured.Statistics.Runs;
        long pngStart = Stopwatch.GetTimestamp();
        _ = image.Png;
        double png = Stopwatch.GetElapsedTime(pngStart).TotalMilliseconds;
        return new BenchRun(Math.Round(endToEnd, 2), Math.Round(inRuns, 2), runs, Math.Round(endToEnd / inRuns, 4),
            Math.Round(png, 2), Math.Round((endToEnd + png) / inRuns, 4), Math.Round(allocation.StepOverheadRatio, 4), allocation.BytesPerStep, Math.Round(allocation.StepMs, 3));
    }

    private static string Text(double value) => value.ToString("0.####", CultureInfo.InvariantCulture);

    /// <summary>
    /// Records, after each step, the thread's allocated bytes, the clock and the session run time so far;
    /// steps 2..N are compared (step 1 includes first-use setup). Allocation-free itself.
    /// </summary>
    private sealed class AllocationProbe(int steps, RunStatistics statistics) : IProgress<DenoiseProgress>
    {
        private readonly long[] _allocated = new long[steps + 1];
        private readonly long[] _clock = new long[steps + 1];
        private readonly TimeSpan[] _inRuns = new TimeSpan[steps + 1];

        public long BytesPerStep => (_allocated[steps] - _allocated[1]) / (steps - 1);

        public double StepMs => Stopwatch.GetElapsedTime(_clock[1], _clock[steps]).TotalMilliseconds / (steps - 1);

        public double StepOverheadRatio =>
            Stopwatch.GetElapsedTime(_clock[1], _clock[steps]).TotalMilliseconds / (_inRuns[steps] - _inRuns[1]).TotalMilliseconds;

        public void Report(DenoiseProgress value)
        {
            _allocated[value.Step] = GC.GetAllocatedBytesForCurrentThread();
            _clock[value.Step] = Stopwatch.GetTimestamp();
            _inRuns[value.Step] = statistics.Elapsed;
        }
    }
}
