using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Flux.Inference.Sessions;
using Flux.ModelBuilder.Import;
using Flux.ModelBuilder.Onnx.Int4;
using Flux.ModelBuilder.Tiny;
using Flux.Tests.Shared;

namespace Flux.Benchmarks.Perf;

/// <summary>
/// `import [--gb N] [--rounds R] [--no-int4] [--quick] [--only TEXT]` (issue 12): `flux model import` of a generated BFL checkpoint of about N GB (default 2;
/// bf16, FLUX.1's layout at width 1024) against a plain copy of the same file, with the resident memory the import
/// adds (anonymous and file-backed pages sampled, plus the kernel's peak); then int4 transformers at the graph
/// bench's wide presets against fp32: weight bytes and output error. The checkpoint lives in a temporary folder
/// that is deleted at the end. `--only TEXT` keeps the two copies (the baseline) and the imports whose name contains
/// TEXT (e.g. `--only int4`), and skips the session and int4-error tables: a focused run for profiling.
/// </summary>
internal static class ImportBench
{
    private const int Hidden = 1024;

    public static void Run(string[] args)
    {
        double gb = Gigabytes(args);
        int rounds = PerfHarness.Number(args, "--rounds") ?? 2;
        string? only = PerfHarness.Option(args, "--only");
        var root = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), $"flux-import-bench-{Guid.NewGuid():N}")).FullName;
        try
        {
            Throughput(root, gb, rounds, only);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }

        if (!args.Contains("--no-int4") && only is null)
        {
            Console.WriteLine();
            Int4Error(args.Contains("--quick"));
        }
    }

    /// <summary>`import-packages --gb N DIR` (experiments): writes the bench's checkpoint and imports it as DIR/fp32, DIR/bf16, DIR/fp16 and DIR/int4 (block 64), kept for `import-session`.</summary>
    public static void Packages(string[] args)
    {
        string root = Directory.CreateDirectory(args[^1]).FullName;
        var (doubleBlocks, singleBlocks) = BlockCounts(Gigabytes(args));
        var source = ImportSourceFolder.WriteWithoutTransformer(Directory.CreateDirectory(Path.Combine(root, "src")).FullName, t5Width: 64, clipWidth: 64);
        var checkpoint = Path.Combine(root, "flux1-schnell.safetensors");
        WriteBflCheckpoint(checkpoint, new SmallFlux(Dev: false, Hidden, Heads: 8, DoubleBlocks: 1, SingleBlocks: 1, Context: 64, Pooled: 64), doubleBlocks, singleBlocks);
        foreach (var (name, precision, int4) in new (string, WeightPrecision, Int4Quantization?)[]
        {
            ("fp32", WeightPrecision.Fp32, null), ("bf16", WeightPrecision.Bf16, null), ("fp16", WeightPrecision.Fp16, null), ("int4", WeightPrecision.Fp32, new Int4Quantization()),
        })
        {
            ModelImporter.Import(new ImportRequest { Source = source, Output = Path.Combine(root, name), TransformerFile = checkpoint, Precision = precision, Int4 = int4 });
        }

        File.Delete(checkpoint);
    }

    /// <summary>`--gb N`, the bench checkpoint's size in GB (default 2).</summary>
    private static double Gigabytes(string[] args) =>
        PerfHarness.Option(args, "--gb") is { } value ? double.Parse(value, CultureInfo.InvariantCulture) : 2;

    /// <summary>
    /// Blocks of the bench checkpoint for about <paramref name="gb"/> GB. A double block holds 36·h² weights, a single
    /// block 15·h² (BFL's layers.py): 19 + 20 blocks of width 1024 in bf16 are 2.0 GB.
    /// </summary>
    private static (int DoubleBlocks, int SingleBlocks) BlockCounts(double gb) =>
        (Math.Max(1, (int)Math.Round(19 * gb / 2)), Math.Max(1, (int)Math.Round(20 * gb / 2)));

    private static void Throughput(string root, double gb, int rounds, string? only)
    {
        var (doubleBlocks, singleBlocks) = BlockCounts(gb);
        var source = ImportSourceFolder.WriteWithoutTransformer(root, t5Width: 64, clipWidth: 64);
        var checkpoint = Path.Combine(root, "flux1-schnell.safetensors");
        long largest = WriteBflCheckpoint(checkpoint, new SmallFlux(Dev: false, Hidden, Heads: 8, DoubleBlocks: 1, SingleBlocks: 1, Context: 64, Pooled: 64), doubleBlocks, singleBlocks);
        long bytes = new FileInfo(checkpoint).Length;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"checkpoint: {checkpoint} (BF16, width {Hidden}, {doubleBlocks} double + {singleBlocks} single blocks), {bytes / 1e9:0.00} GB, largest tensor {largest / 1e6:0.0} MB; in the page cache (just written)"));
        Console.WriteLine($"Each run {rounds} times, round-robin (the machine is shared); fastest time, largest memory.");
        Console.WriteLine();
        Console.WriteLine("| run | bytes written | wall s | source GB/s | of stream copy | CPU s | of stream copy (CPU) | RSS before MB | peak anon MB | peak file-backed MB | VmHWM MB |");
        Console.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");

        var copy = Path.Combine(root, "copy.safetensors");
        var output = Path.Combine(root, "package");
        long PackageBytes() => Directory.EnumerateFiles(output, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);
        var runs = new (string Name, Action Run, Func<long> Written, Action Clean)[]
        {
            ("File.Copy (copy_file_range)", () => File.Copy(checkpoint, copy), () => new FileInfo(copy).Length, () => File.Delete(copy)),
            ("stream copy, 1 MiB buffer", () => StreamCopy(checkpoint, copy), () => new FileInfo(copy).Length, () => File.Delete(copy)),
            ("import --precision bf16", Import(WeightPrecision.Bf16, null), PackageBytes, () => Directory.Delete(output, recursive: true)),
            ("import (fp32, the default)", Import(WeightPrecision.Fp32, null), PackageBytes, () => Directory.Delete(output, recursive: true)),
            ("import --quantize int4 (block 64)", Import(WeightPrecision.Fp32, new Int4Quantization()), PackageBytes, () => Directory.Delete(output, recursive: true)),
        }.Where((run, k) => k < 2 || only is null || run.Name.Contains(only, StringComparison.Ordinal)).ToArray();
        var results = runs.Select(_ => new Measurement(double.MaxValue, double.MaxValue, 0, 0, 0, 0, 0)).ToArray();
        for (int round = 0; round < rounds; round++)
        {
            for (int i = 0; i < runs.Length; i++)
            {
                var m = Measure(runs[i].Run, runs[i].Written);
                runs[i].Clean();
                var best = results[i];
                results[i] = new Measurement(Math.Min(best.Seconds, m.Seconds), Math.Min(best.CpuSeconds, m.CpuSeconds), m.Written, Math.Max(best.Before, m.Before), Math.Max(best.PeakAnon, m.PeakAnon), Math.Max(best.PeakFile, m.PeakFile), Math.Max(best.Hwm, m.Hwm));
            }
        }

        var streamCopy = results[1];
        for (int i = 0; i < runs.Length; i++)
        {
            var m = results[i];
            string ratio = i >= 2 ? string.Create(CultureInfo.InvariantCulture, $"{streamCopy.Seconds / m.Seconds:0.00}x") : "";
            string cpuRatio = i >= 2 ? string.Create(CultureInfo.InvariantCulture, $"{streamCopy.CpuSeconds / m.CpuSeconds:0.00}x") : "";
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {runs[i].Name} | {m.Written / 1e9:0.00} GB | {m.Seconds:0.0} | {bytes / 1e9 / m.Seconds:0.00} | {ratio} | {m.CpuSeconds:0.0} | {cpuRatio} | {m.Before / 1e6:0} | {m.PeakAnon / 1e6:0} | {m.PeakFile / 1e6:0} | {m.Hwm / 1e6:0} |"));
        }

        if (only is null)
        {
            SessionMemory(source, checkpoint, output);
        }

        Action Import(WeightPrecision precision, Int4Quantization? int4) =>
            () => ModelImporter.Import(new ImportRequest { Source = source, Output = output, TransformerFile = checkpoint, Precision = precision, Int4 = int4 });
    }

    private sealed record Measurement(double Seconds, double CpuSeconds, long Written, long Before, long PeakAnon, long PeakFile, long Hwm);

    /// <summary>Times <paramref name="run"/> once with the process's memory sampled every 10 ms.</summary>
    private static Measurement Measure(Action run, Func<long> written)
    {
        GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);   // give freed heap back, so "before" is this run's baseline
        ProcessMemory.ResetPeak();
        long before = ProcessMemory.ResidentBytes;
        long peakAnon = 0, peakFile = 0;
        using var stop = new CancellationTokenSource();
        var sampler = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                peakAnon = Math.Max(peakAnon, ProcessMemory.Field("RssAnon:"));
                peakFile = Math.Max(peakFile, ProcessMemory.Field("RssFile:"));
                Thread.Sleep(10);
            }
        });
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        run();
        double seconds = watch.Elapsed.TotalSeconds;
        double cpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;   // includes the sampler's few wake-ups
        stop.Cancel();
        sampler.Wait();
        return new Measurement(seconds, cpuSeconds, written(), before, peakAnon, peakFile, ProcessMemory.PeakResidentBytes);
    }

    /// <summary>
    /// What an ONNX Runtime session (CPU provider, full graph optimization as the pipeline sets it) holds for the
    /// imported transformer at each storage precision (fp16/bf16 weights are stored with a Cast to fp32 after each):
    /// the heap right after creation, after <see cref="NativeHeap.ReleaseFreePages"/> (what SessionCache does next),
    /// and after two denoising steps (64 image and 64 text tokens, zero inputs), with the second step's time. Each
    /// session is created in a child process (`import-session MODEL MODE`), so memory the allocator keeps from an
    /// earlier session cannot hide the next one's.
    /// </summary>
    private static void SessionMemory(string source, string checkpoint, string output)
    {
        const string Pipeline = "level=all;trim=1;run=2";
        Console.WriteLine();
        Console.WriteLine("Transformer session (CPU provider), each created in a fresh process, per storage precision of the same checkpoint:");
        Console.WriteLine();
        Console.WriteLine("| package | session options | transformer weights MB | heap after creation MB | heap after malloc_trim MB | heap after 2 steps MB | mapped file pages MB | VmHWM MB | step s |");
        Console.WriteLine("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var (name, precision, int4, mode) in new (string, WeightPrecision, Int4Quantization?, string)[]
        {
            ("fp32", WeightPrecision.Fp32, null, Pipeline), ("bf16", WeightPrecision.Bf16, null, Pipeline), ("fp16", WeightPrecision.Fp16, null, Pipeline),
            ("bf16", WeightPrecision.Bf16, null, Pipeline + ";optimization.disable_specified_optimizers=ConstantFolding"),
            ("bf16", WeightPrecision.Bf16, null, "level=off;run=2"), ("fp32", WeightPrecision.Fp32, null, "level=off;run=2"),
            ("int4 (block 64) + fp32", WeightPrecision.Fp32, new Int4Quantization(), Pipeline),
        })
        {
            ModelImporter.Import(new ImportRequest { Source = source, Output = output, TransformerFile = checkpoint, Precision = precision, Int4 = int4 });
            var model = Path.Combine(output, "transformer", "model.onnx");
            long weights = Directory.EnumerateFiles(Path.GetDirectoryName(model)!).Sum(f => new FileInfo(f).Length);
            var start = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true };
            if (Path.GetFileNameWithoutExtension(Environment.ProcessPath!) == "dotnet")
            {
                start.ArgumentList.Add(typeof(ImportBench).Assembly.Location);
            }

            foreach (var argument in new[] { "import-session", model, mode })
            {
                start.ArgumentList.Add(argument);
            }

            using var child = Process.Start(start)!;
            string sizes = child.StandardOutput.ReadToEnd().Trim().Replace(' ', '|');
            child.WaitForExit();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {name} | `{mode}` | {weights / 1e6:0} | {sizes.Replace("|", " | ")} |"));
            Directory.Delete(output, recursive: true);
        }
    }

    /// <summary>
    /// `import-session MODEL MODE`, MODE `KEY=VALUE;...`: `level=off|basic|extended|all` (graph optimization, default
    /// all), `trim=1` (<see cref="NativeHeap.ReleaseFreePages"/> after creation, as SessionCache does), `run=N` (N
    /// steps on zero inputs, every free dimension 64 but the batch), `optimized=PATH`, any other key a session config
    /// entry. Prints RssAnon after creation, after the trim, after the runs, RssFile, VmHWM (MB) and the last step's seconds.
    /// </summary>
    public static void CreateSession(string[] args)
    {
        var settings = args[2].Split(';', StringSplitOptions.RemoveEmptyEntries)
            .ToDictionary(p => p[..p.IndexOf('=')], p => p[(p.IndexOf('=') + 1)..], StringComparer.Ordinal);
        using var options = new Microsoft.ML.OnnxRuntime.SessionOptions
        {
            GraphOptimizationLevel = settings.GetValueOrDefault("level", "all") switch
            {
                "off" => Microsoft.ML.OnnxRuntime.GraphOptimizationLevel.ORT_DISABLE_ALL,
                "basic" => Microsoft.ML.OnnxRuntime.GraphOptimizationLevel.ORT_ENABLE_BASIC,
                "extended" => Microsoft.ML.OnnxRuntime.GraphOptimizationLevel.ORT_ENABLE_EXTENDED,
                _ => Microsoft.ML.OnnxRuntime.GraphOptimizationLevel.ORT_ENABLE_ALL,
            },
        };
        foreach (var (key, value) in settings.Where(s => s.Key is not ("level" or "trim" or "run" or "optimized")))
        {
            options.AddSessionConfigEntry(key, value);
        }

        if (settings.TryGetValue("optimized", out var optimized))
        {
            options.OptimizedModelFilePath = optimized;
        }

        using var session = new Microsoft.ML.OnnxRuntime.InferenceSession(args[1], options);
        long created = ProcessMemory.Field("RssAnon:");
        if (settings.GetValueOrDefault("trim") == "1")
        {
            NativeHeap.ReleaseFreePages();
        }

        long trimmed = ProcessMemory.Field("RssAnon:");
        double seconds = 0;
        int runs = int.Parse(settings.GetValueOrDefault("run", "0"), CultureInfo.InvariantCulture);
        if (runs > 0)
        {
            var inputs = session.InputMetadata.Select(m =>
            {
                long[] shape = m.Value.Dimensions.Select((d, k) => d > 0 ? d : (k == 0 && !m.Key.EndsWith("_ids", StringComparison.Ordinal) ? 1L : 64L)).ToArray();
                long count = shape.Aggregate(1L, (x, y) => x * y);
                return m.Value.ElementDataType == Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.Int64
                    ? Microsoft.ML.OnnxRuntime.OrtValue.CreateTensorValueFromMemory(new long[count], shape)
                    : Microsoft.ML.OnnxRuntime.OrtValue.CreateTensorValueFromMemory(new float[count], shape);
            }).ToArray();
            using var runOptions = new Microsoft.ML.OnnxRuntime.RunOptions();
            for (int k = 0; k < runs; k++)
            {
                var watch = Stopwatch.StartNew();
                using var outputs = session.Run(runOptions, session.InputMetadata.Keys.ToArray(), inputs, session.OutputNames);
                seconds = watch.Elapsed.TotalSeconds;
            }

            foreach (var input in inputs)
            {
                input.Dispose();
            }
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{created / 1e6:0} {trimmed / 1e6:0} {ProcessMemory.Field("RssAnon:") / 1e6:0} {ProcessMemory.Field("RssFile:") / 1e6:0} {ProcessMemory.PeakResidentBytes / 1e6:0} {seconds:0.000}"));
    }

    private static void StreamCopy(string from, string to)
    {
        using var input = new FileStream(from, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        using var output = new FileStream(to, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1);
        var buffer = new byte[1 << 20];
        int read;
        while ((read = input.Read(buffer)) > 0)
        {
            output.Write(buffer, 0, read);
        }
    }

    /// <summary>
    /// BFL's single-file layout (names from tests/Shared/FluxCheckpoints.Bfl) with <paramref name="doubleBlocks"/> and
    /// <paramref name="singleBlocks"/> copies of one template block each, streamed out tensor by tensor as BF16
    /// (truncated), so the writer never holds more than the template. Returns the largest tensor's byte count.
    /// </summary>
    private static long WriteBflCheckpoint(string path, SmallFlux template, int doubleBlocks, int singleBlocks)
    {
        var tensors = new List<(string Name, long[] Shape, float[] Values)>();
        foreach (var (key, (shape, values)) in FluxCheckpoints.Bfl(template, seed: 7))
        {
            var (prefix, count) = key.StartsWith("double_blocks.0.", StringComparison.Ordinal) ? ("double_blocks.", doubleBlocks)
                : key.StartsWith("single_blocks.0.", StringComparison.Ordinal) ? ("single_blocks.", singleBlocks)
                : (null, 1);
            for (int b = 0; b < count; b++)
            {
                tensors.Add((prefix is null ? key : prefix + b.ToString(CultureInfo.InvariantCulture) + key[(prefix.Length + 1)..], shape, values));
            }
        }

        var header = new Dictionary<string, object>(StringComparer.Ordinal);
        long offset = 0;
        foreach (var (name, shape, values) in tensors)
        {
            header[name] = new { dtype = "BF16", shape, data_offsets = new[] { offset, offset + 2L * values.Length } };
            offset += 2L * values.Length;
        }

        var json = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(header));
        using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20);
        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)json.Length);
        file.Write(length);
        file.Write(json);
        foreach (var (name, _, values) in tensors)
        {
            // Each copy of the template block differs in the low mantissa bits (block index + 1), so no two blocks hold
            // equal weights: ONNX Runtime shares equal folded initializers, which made identical copies cost one block's memory.
            int copy = name.StartsWith("double_blocks.", StringComparison.Ordinal) || name.StartsWith("single_blocks.", StringComparison.Ordinal)
                ? int.Parse(name.Split('.')[1], CultureInfo.InvariantCulture) + 1 : 0;
            var bf16 = new byte[2 * values.Length];
            for (int v = 0; v < values.Length; v++)
            {
                BinaryPrimitives.WriteUInt16LittleEndian(bf16.AsSpan(2 * v), (ushort)((BitConverter.SingleToUInt32Bits(values[v]) >> 16) ^ (copy & 0x1F)));
            }

            file.Write(bf16);
        }

        return tensors.Max(t => 2L * t.Values.Length);
    }

    /// <summary>
    /// int4 against fp32 at the graph bench's wide presets (random uniform weights, the same for both): transformer
    /// weight bytes, and the relative RMS error of one transformer evaluation on the same random inputs.
    /// </summary>
    private static void Int4Error(bool quick)
    {
        var presets = new (string Name, TinyFluxOptions Options)[]
        {
            ("width 1024, 8 heads, 2 + 4 blocks", new TinyFluxOptions { HiddenSize = 1024, HeadCount = 8, DoubleBlocks = 2, SingleBlocks = 4, T5Width = 1024 }),
            ("flux-width (3072, 24 heads), 1 + 1 blocks", TinyFluxOptions.FluxWidth),
        };
        const int side = 256;
        Console.WriteLine($"int4 against fp32, one transformer evaluation at {side}x{side} (L = {side * side / 256}), random text conditioning:");
        Console.WriteLine();
        Console.WriteLine("| preset | block size | fp32 weights MB | int4 weights MB | int4 / fp32 | output relative RMS error | max abs error / max abs output |");
        Console.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var (name, fp32) in quick ? presets[..1] : presets)
        {
            float[] expected;
            using (var step = new TransformerStep(fp32, side, randomConditioning: true))
            {
                expected = step.Output;
            }

            long fp32Bytes = PerfPackages.Transformer(fp32).WeightBytes;
            foreach (int blockSize in new[] { 32, 64, 128 })
            {
                var int4 = fp32 with { Int4 = new Int4Quantization { BlockSize = blockSize } };
                float[] actual;
                using (var step = new TransformerStep(int4, side, randomConditioning: true))
                {
                    actual = step.Output;
                }

                long int4Bytes = PerfPackages.Transformer(int4).WeightBytes;
                double squaredError = 0, squared = 0, maxError = 0, maxOutput = 0;
                for (int e = 0; e < expected.Length; e++)
                {
                    double d = actual[e] - expected[e];
                    squaredError += d * d;
                    squared += (double)expected[e] * expected[e];
                    maxError = Math.Max(maxError, Math.Abs(d));
                    maxOutput = Math.Max(maxOutput, Math.Abs(expected[e]));
                }

                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {name} | {blockSize} | {fp32Bytes / 1e6:0.0} | {int4Bytes / 1e6:0.0} | {(double)int4Bytes / fp32Bytes:0.000} | {Math.Sqrt(squaredError / squared):0.0000} | {maxError / maxOutput:0.0000} |"));
            }
        }
    }
}
