using System.Diagnostics;
using System.Globalization;
using Flux.Core;
using Flux.Inference;
using Flux.Inference.Imaging;
using Flux.Inference.Memory;
using Flux.Inference.Sessions;
using Flux.Inference.Stages;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Flux.Cli.Commands;

/// <summary>
/// `flux generate PROMPT` (or a prompt list): prompts -> PNG, JPEG or WebP images with a progress bar; same seed, same
/// pixels; never a partial file. Each prompt is one batch of --count images; output k of the run goes to -o's name with
/// "-k" before the extension when the run writes more than one image.
/// </summary>
public sealed class GenerateCommand(IAnsiConsole console, ErrorConsole errors) : Command<GenerateArguments>
{
    public override int Execute(CommandContext context, GenerateArguments arguments, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        var items = PromptSource.Read(arguments.Prompt, arguments.Prompts, () => Console.In);
        var device = DeviceChoice.Resolve(arguments, errors);
        long start = Stopwatch.GetTimestamp();
        var (pipeline, provider) = device.Open(ModelArgument.Resolve(arguments.Model), errors);
        using (pipeline)
        {
            var where = items.Select((_, i) => items.Count > 1 ? $"prompt {i + 1}: " : "").ToList();
            var batches = items.Select((item, i) => Batch(pipeline.Package, arguments, item, where[i])).ToList();
            var inputs = batches.Select((b, i) => BatchInputs.Decode(b[0], where[i])).ToList();   // every file checked before any work
            int total = batches.Sum(b => b.Count);
            bool onGpu = provider == "CUDA";
            string runsOn = onGpu && device.Options.TextEncodersOnCpu ? "CUDA, text encoders on CPU" : provider;   // summary and metadata
            CheckMemory(pipeline, batches, device.Options.MemoryMode, onGpu ? device.Cuda?.DeviceMemoryBytes : MemoryEstimate.CpuBudgetBytes(), onGpu && device.Options.TextEncodersOnCpu);

            int written = 0;
            foreach (var (batch, input) in batches.Zip(inputs))
            {
                var outputs = Enumerable.Range(written, batch.Count).Select(k => OutputPath(arguments.Output, k, total)).ToList();
                Render(pipeline, batch, input, outputs, arguments, runsOn, cancellationToken);
                written += batch.Count;
            }

            var first = batches[0][0];
            console.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
                $"{total} image(s), {first.Width}x{first.Height}, {first.Steps} step(s), {first.Sampler}, model {pipeline.Package.Name}, provider {runsOn}, {arguments.FormatValue.Name()}, {Stopwatch.GetElapsedTime(start).TotalSeconds:0.0} s")));
        }

        return 0;
    }

    private void Render(FluxPipeline pipeline, IReadOnlyList<GenerationSettings> batch, BatchInputs input, IReadOnlyList<string> outputs, GenerateArguments arguments, string provider, CancellationToken cancellationToken)
    {
        var checkpoint = arguments.CheckpointDir is null ? null : RunCheckpoint.For(arguments.CheckpointDir, pipeline.Package.Directory, outputs[0], batch, input);
        SamplerCheckpoint? resumeFrom = null;
        if (checkpoint is not null)
        {
            if (arguments.Resume)
            {
                resumeFrom = checkpoint.LoadForResume();
            }
            else
            {
                checkpoint.Reset();
            }
        }

        IReadOnlyList<GeneratedImage> images = [];
        console.Progress().Start(progressContext =>
        {
            var task = progressContext.AddTask("denoising", maxValue: batch[0].Steps);
            task.Value = resumeFrom?.Step ?? 0;
            var preview = arguments.Preview is null ? null : new PreviewFile(arguments.Preview, arguments.PreviewFormat!.Value, batch[0].Size);
            images = pipeline.Generate(batch, new GenerateOptions
            {
                ResumeFrom = resumeFrom,
                OnCheckpoint = checkpoint is null ? null : checkpoint.Save,
                Progress = new StepSink(p =>
                {
                    task.Value = p.Step;
                    preview?.Write(p.PreviewRgb.Span);
                }),
                PreviewInterval = preview is null ? 0 : arguments.PreviewInterval,
                Image = input.Image,
                Mask = input.Mask,
            }, cancellationToken);
        });

        // Encoding is the slowest step outside ONNX Runtime (docs/benchmarks.md): a batch's images are encoded in parallel.
        Parallel.For(0, images.Count, i =>
        {
            using var image = images[i];
            AtomicFile.WriteAllBytes(outputs[i], image.Encode([new("provider", provider)]));   // the settings' format and quality
        });
        foreach (string path in outputs)
        {
            console.MarkupLineInterpolated($"wrote [green]{path}[/]");
        }

        checkpoint?.Delete();
    }

    /// <summary>One prompt's batch: the item's own settings over the command line's, over the package's defaults.</summary>
    private static List<GenerationSettings> Batch(Inference.Packages.ModelPackage package, GenerateArguments arguments, PromptItem item, string where)
    {
        var cli = arguments.Defaults;
        var defaults = GenerationSettings.Defaults(package, item.Prompt!);
        (int? width, int? height) = (item.Width ?? cli.Width, item.Height ?? cli.Height);
        if (item.Size is not null)
        {
            if (item.Width is not null || item.Height is not null)
            {
                throw new CliUsageException($"{where}size cannot be combined with width/height (allowed: either size or width/height)");
            }

            var preset = ModelArgument.AsUsageError(() => SizePreset.Parse(item.Size), where);
            (width, height) = (preset.Width, preset.Height);
        }

        var first = defaults with
        {
            Width = width ?? defaults.Width,
            Height = height ?? defaults.Height,
            Steps = item.Steps ?? cli.Steps ?? defaults.Steps,
            Guidance = item.Guidance ?? cli.Guidance ?? defaults.Guidance,
            Seed = item.Seed ?? cli.Seed ?? defaults.Seed,
            Sampler = item.Sampler?.ToLowerInvariant() ?? cli.Sampler ?? defaults.Sampler,
            NegativePrompt = item.NegativePrompt ?? cli.NegativePrompt,
            TrueCfgScale = item.TrueCfgScale ?? cli.TrueCfgScale ?? defaults.TrueCfgScale,
            Prompt2 = item.Prompt2 ?? cli.Prompt2,
            Image = item.Image ?? cli.Image,
            Strength = item.Strength ?? cli.Strength ?? defaults.Strength,
            Mask = item.Mask ?? cli.Mask,
            Format = arguments.FormatValue.Name(),
            Quality = arguments.QualityValue,
        };
        var batch = Enumerable.Range(0, arguments.CountValue).Select(i => first with { ImageIndex = i }).ToList();
        ModelArgument.AsUsageError(() => { first.Validate(package); return 0; }, where);
        return batch;
    }

    /// <summary>Refuses, before anything runs, a batch whose estimated peak memory exceeds the device's, naming the largest size that fits.</summary>
    private static void CheckMemory(FluxPipeline pipeline, IReadOnlyList<List<GenerationSettings>> batches, MemoryMode mode, long? budget, bool textEncodersOffDevice)
    {
        if (budget is not long available)
        {
            return;
        }

        var model = PackageMemoryModel.Of(pipeline.Package);
        foreach (var batch in batches)
        {
            var size = batch[0].Size;
            int rows = batch[0].UsesTrueCfg ? 2 * batch.Count : batch.Count;   // true CFG runs the transformer on a batch of 2B
            var estimate = model.Estimate(size, rows, mode, textEncodersOffDevice);
            if (estimate.PeakBytes <= available)
            {
                continue;
            }

            var fits = model.LargestFitting(size, rows, mode, available, textEncodersOffDevice);
            int divisor = (int)System.Numerics.BigInteger.GreatestCommonDivisor(size.Width, size.Height);
            string suggestion = fits is { } largest ? $"the largest {size.Width / divisor}:{size.Height / divisor} size that fits is {largest.Width}x{largest.Height}" : "no size fits";
            throw new CliUsageException(
                $"{size.Width}x{size.Height} x {batch.Count} image(s) needs about {estimate} but {MemoryEstimate.Bytes(available)} is available; {suggestion} (allowed: --width/--height or --size within that, or fewer --count)");
        }
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
