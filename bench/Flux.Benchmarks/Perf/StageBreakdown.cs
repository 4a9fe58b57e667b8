using System.Globalization;
using Flux.Core;
using Flux.Inference;
using Flux.Inference.Stages;

namespace Flux.Benchmarks.Perf;

/// <summary>Time outside session runs per stage (the stage APIs the durable activities call), to see where overhead sits.</summary>
internal static class StageBreakdown
{
    public static void Header()
    {
        Console.WriteLine("| variant | size | sessions | encode ms (runs) | denoise ms (runs) | decode ms (runs) | outside runs: encode / denoise / decode ms | PNG ms |");
        Console.WriteLine("| --- | --- | --- | ---: | ---: | ---: | ---: | ---: |");
    }

    public static void Row(FluxPipeline pipeline, GenerationSettings settings, string label)
    {
        TextConditioning? conditioning = null;
        SamplerCheckpoint? result = null;
        var encode = Measure(() => conditioning = pipeline.EncodePrompt(settings.Prompt));
        var denoise = Measure(() => result = pipeline.DenoiseAsync(new DenoiseRequest(conditioning!, settings)).GetAwaiter().GetResult());
        GeneratedImage? image = null;
        var decode = Measure(() => image = pipeline.Decode(result!, settings));
        var png = Measure(() => _ = image!.Png);
        image!.Dispose();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {pipeline.Package.Variant.ToString().ToLowerInvariant()} | {settings.Width}x{settings.Height} | {label} | {encode.EndToEnd:0.0} ({encode.Runs:0.0}) | {denoise.EndToEnd:0.0} ({denoise.Runs:0.0}) | {decode.EndToEnd:0.0} ({decode.Runs:0.0}) | {encode.EndToEnd - encode.Runs:0.0} / {denoise.EndToEnd - denoise.Runs:0.0} / {decode.EndToEnd - decode.Runs:0.0} | {png.EndToEnd:0.0} |"));
    }

    private static (double EndToEnd, double Runs) Measure(Action action) => OverheadBench.Measure(action);
}
