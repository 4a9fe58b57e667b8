using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using Flux.Inference;
using Flux.Inference.Imaging;
using Flux.ModelBuilder.Tiny;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;

namespace Flux.Benchmarks.Perf;

/// <summary>PNG encoding cost of a tiny-model image (the largest non-session cost in the pipeline), for the encoder settings in question.</summary>
internal static class PngOptions
{
    public static void Run()
    {
        Console.WriteLine("| size | encoder | ms (fastest of 5) | bytes |");
        Console.WriteLine("| --- | --- | ---: | ---: |");
        using var pipeline = FluxPipeline.Open(PerfPackages.Tiny(new TinyFluxOptions()), new Flux.Inference.Sessions.InferenceOptions { ExecutionProvider = Flux.Inference.Sessions.ExecutionProviderKind.Cpu });
        foreach (int side in new[] { 512, 1024 })
        {
            var settings = GenerationSettings.Defaults(pipeline.Package, "a red circle") with { Width = side, Height = side, Steps = 2 };
            byte[] rgb = pipeline.Generate(settings).Rgb;
            var text = settings.PngText(pipeline.Package.Name);
            Row(side, "pipeline (ImageSharp level 1, Paeth)", () => PngEncoding.Encode(rgb, side, side, text));
            Row(side, "ImageSharp level 1, no filter", () => ImageSharp(rgb, side, PngCompressionLevel.BestSpeed, PngFilterMethod.None));
            Row(side, "ImageSharp level 0 (stored)", () => ImageSharp(rgb, side, PngCompressionLevel.NoCompression, PngFilterMethod.None));
            Row(side, "zlib Fastest, filter Up (IDAT payload only)", () => ZlibUp(rgb, side, new ZLibCompressionOptions { CompressionLevel = 1 }));
            Row(side, "zlib level 2, filter Up (IDAT payload only)", () => ZlibUp(rgb, side, new ZLibCompressionOptions { CompressionLevel = 2 }));
            Row(side, "zlib level 4, filter Up (IDAT payload only)", () => ZlibUp(rgb, side, new ZLibCompressionOptions { CompressionLevel = 4 }));
            Row(side, "zlib level 6, filter Up (IDAT payload only)", () => ZlibUp(rgb, side, new ZLibCompressionOptions { CompressionLevel = 6 }));
        }
    }

    private static void Row(int side, string name, Func<byte[]> encode)
    {
        double best = double.MaxValue;
        int bytes = 0;
        for (int i = 0; i < 5; i++)
        {
            long start = Stopwatch.GetTimestamp();
            bytes = encode().Length;
            best = Math.Min(best, Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {side}x{side} | {name} | {best:0.0} | {bytes:N0} |"));
    }

    private static byte[] ImageSharp(byte[] rgb, int side, PngCompressionLevel level, PngFilterMethod filter)
    {
        using var image = Image.LoadPixelData<Rgb24>(rgb, side, side);
        using var stream = new MemoryStream();
        image.SaveAsPng(stream, new PngEncoder { ColorType = PngColorType.Rgb, BitDepth = PngBitDepth.Bit8, CompressionLevel = level, FilterMethod = filter });
        return stream.ToArray();
    }

    private static byte[] ZlibUp(byte[] rgb, int side, ZLibCompressionOptions options)
    {
        int stride = side * 3;
        byte[] row = new byte[stride + 1];
        using var stream = new MemoryStream();
        using (var zlib = new ZLibStream(stream, options, leaveOpen: true))
        {
            for (int y = 0; y < side; y++)
            {
                var current = rgb.AsSpan(y * stride, stride);
                row[0] = 2;   // Up
                if (y == 0)
                {
                    current.CopyTo(row.AsSpan(1));
                }
                else
                {
                    System.Numerics.Tensors.TensorPrimitives.Subtract(current, rgb.AsSpan((y - 1) * stride, stride), row.AsSpan(1));
                }

                zlib.Write(row);
            }
        }

        return stream.ToArray();
    }
}
