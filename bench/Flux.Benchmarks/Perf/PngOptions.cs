using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using Flux.Inference;
using Flux.Inference.Imaging;
using Flux.Inference.Sessions;
using Flux.ModelBuilder;
using Flux.ModelBuilder.Tiny;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;

namespace Flux.Benchmarks.Perf;

/// <summary>
/// PNG encoding cost (the largest non-session cost in a generation), side by side in one run: the previous encoder
/// (ImageSharp level 1, Paeth) against the current one (zlib-ng, run-length strategy, Up filter) with one band and with
/// its size-derived bands, then the current encoder's row filters and zlib-ng's default strategy at levels 1 and 2, on tiny-model output (noise-like), the reference package's output (flat shapes, scaled up from its fixed size) and
/// a synthesized smooth image (gradients with a fine texture, like a photo).
/// </summary>
internal static class PngOptions
{
    private const int Repeats = 11;

    public static void Run()
    {
        var images = Images().ToList();
        Console.WriteLine($"fastest of {Repeats}, the encoders of a row (and of an image) interleaved; bytes = file size");
        Console.WriteLine();
        Console.WriteLine("| image | ImageSharp L1 Paeth ms | bytes | new, 1 band ms | bytes | new, N bands ms | N | bytes | speed-up |");
        Console.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var (name, side, rgb, text) in images)
        {
            int bands = ZlibBands.BandCount(side * (side * 3 + 1));
            var results = Measure(
                () => ImageSharpPaeth(rgb, side, text),
                () => PngEncoding.Encode(rgb, side, side, text, PngEncoding.DefaultFilter, 1),
                () => PngEncoding.Encode(rgb, side, side, text));
            var (old, single, banded) = (results[0], results[1], results[2]);
            Console.WriteLine(Invariant(
                $"| {name} {side} | {old.Ms:0.0} | {old.Bytes:N0} | {single.Ms:0.0} | {single.Bytes:N0} | {banded.Ms:0.0} | {bands} | {banded.Bytes:N0} | {old.Ms / banded.Ms:0.0}x |"));
        }

        Console.WriteLine();
        Console.WriteLine("| image | deflate (1 band) | filter | ms | bytes |");
        Console.WriteLine("| --- | --- | --- | ---: | ---: |");
        foreach (var (name, side, rgb, text) in images)
        {
            var filters = Enum.GetValues<PngFilterType>();
            int[] levels = [1, 2];
            var results = Measure([
                .. filters.Select(f => (Func<byte[]>)(() => PngEncoding.Encode(rgb, side, side, text, f, 1))),
                .. levels.Select(level => (Func<byte[]>)(() => ZlibPayload(rgb, side, level)))]);
            for (int i = 0; i < filters.Length; i++)
            {
                Console.WriteLine(Invariant($"| {name} {side} | {ZlibBands.Strategy} (the encoder) | {filters[i]} | {results[i].Ms:0.0} | {results[i].Bytes:N0} |"));
            }

            for (int i = 0; i < levels.Length; i++)
            {
                var result = results[filters.Length + i];
                Console.WriteLine(Invariant($"| {name} {side} | level {levels[i]}, default strategy (IDAT payload only) | {PngEncoding.DefaultFilter} | {result.Ms:0.0} | {result.Bytes:N0} |"));
            }
        }
    }

    /// <summary>The zlib stream of the default-filtered scanlines at a level with zlib's default strategy.</summary>
    private static byte[] ZlibPayload(byte[] rgb, int side, int level)
    {
        byte[] scanlines = new byte[side * (side * 3 + 1)];
        PngRowFilter.ApplyAll(rgb, side * 3, PngEncoding.DefaultFilter, scanlines);
        using var stream = new MemoryStream();
        using (var zlib = new ZLibStream(stream, new ZLibCompressionOptions { CompressionLevel = level }, leaveOpen: true))
        {
            zlib.Write(scanlines);
        }

        return stream.ToArray();
    }

    private static IEnumerable<(string Name, int Side, byte[] Rgb, IReadOnlyList<KeyValuePair<string, string>> Text)> Images()
    {
        var inference = new InferenceOptions { ExecutionProvider = ExecutionProviderKind.Cpu };
        using var tiny = FluxPipeline.Open(PerfPackages.Tiny(new TinyFluxOptions()), inference);
        using var reference = FluxPipeline.Open(BuiltInPackages.EnsureBuilt("reference"), inference);
        var shapesSettings = GenerationSettings.Defaults(reference.Package, "a red circle on a blue background");
        byte[] shapes = reference.Generate(shapesSettings).Rgb;   // the reference package renders one fixed size
        foreach (int side in new[] { 512, 1024 })
        {
            var settings = GenerationSettings.Defaults(tiny.Package, "a red circle on a blue background") with { Width = side, Height = side };
            yield return ("tiny", side, tiny.Generate(settings).Rgb, settings.PngText(tiny.Package.Name));
            yield return ("shapes", side, NearestUpscale(shapes, shapesSettings.Width, side), shapesSettings.PngText(reference.Package.Name));
            yield return ("smooth", side, Smooth(side), [new("prompt", "synthesized")]);
        }
    }

    /// <summary>A square image scaled to side x side by repeating pixels: flat shapes stay flat.</summary>
    private static byte[] NearestUpscale(byte[] rgb, int from, int side)
    {
        byte[] scaled = new byte[side * side * 3];
        for (int y = 0; y < side; y++)
        {
            for (int x = 0; x < side; x++)
            {
                rgb.AsSpan(((y * from / side) * from + x * from / side) * 3, 3).CopyTo(scaled.AsSpan((y * side + x) * 3));
            }
        }

        return scaled;
    }

    /// <summary>Slow colour gradients plus a +-3 texture: what photo-like content looks like to a row filter.</summary>
    private static byte[] Smooth(int side)
    {
        var random = new Random(7);
        byte[] rgb = new byte[side * side * 3];
        for (int y = 0; y < side; y++)
        {
            for (int x = 0; x < side; x++)
            {
                double u = (double)x / side, v = (double)y / side;
                int i = (y * side + x) * 3;
                rgb[i] = Channel(120 + 90 * Math.Sin(3 * u + 1) * Math.Cos(2 * v), random);
                rgb[i + 1] = Channel(100 + 80 * u * v + 40 * Math.Sin(5 * v), random);
                rgb[i + 2] = Channel(60 + 150 * (1 - v) * (1 - v), random);
            }
        }

        return rgb;
    }

    private static byte Channel(double value, Random random) => (byte)Math.Clamp(value + random.Next(-3, 4), 0, 255);

    /// <summary>Fastest time and size of each encoder, run in turn Repeats times so that load changes hit them alike.</summary>
    private static (double Ms, int Bytes)[] Measure(params Func<byte[]>[] encoders)
    {
        var results = encoders.Select(_ => (Ms: double.MaxValue, Bytes: 0)).ToArray();
        for (int i = 0; i < Repeats; i++)
        {
            for (int e = 0; e < encoders.Length; e++)
            {
                long start = Stopwatch.GetTimestamp();
                int bytes = encoders[e]().Length;
                results[e] = (Math.Min(results[e].Ms, Stopwatch.GetElapsedTime(start).TotalMilliseconds), bytes);
            }
        }

        return results;
    }

    /// <summary>The previous encoder: ImageSharp 2.1.13, level 1, Paeth, text as tEXt.</summary>
    private static byte[] ImageSharpPaeth(byte[] rgb, int side, IReadOnlyList<KeyValuePair<string, string>> text)
    {
        using var image = Image.LoadPixelData<Rgb24>(rgb, side, side);
        var png = image.Metadata.GetPngMetadata();
        foreach (var (key, value) in text)
        {
            png.TextData.Add(new PngTextData(key, value, string.Empty, string.Empty));
        }

        using var stream = new MemoryStream();
        image.SaveAsPng(stream, new PngEncoder
        {
            ColorType = PngColorType.Rgb,
            BitDepth = PngBitDepth.Bit8,
            CompressionLevel = PngCompressionLevel.BestSpeed,
            FilterMethod = PngFilterMethod.Paeth,
            TextCompressionThreshold = int.MaxValue,
        });
        return stream.ToArray();
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
