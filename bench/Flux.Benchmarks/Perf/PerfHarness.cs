using Flux.Inference.Sessions;

namespace Flux.Benchmarks.Perf;

/// <summary>
/// `dotnet run -c Release --project bench/Flux.Benchmarks -- overhead|scaling|memory|png|batch|load|truecfg|graph [--quick] [--rounds N] | import [--gb N] [--rounds R] [--no-int4] [--only TEXT] [--quick] | import-packages [--gb N] DIR | import-session MODEL MODE | half-matmul [--size N] DIR | profile HIDDEN HEADS DOUBLE SINGLE SIDE [--graph plain|fused] [--sizes 256,512]`: whole-generation
/// measurements printed as Markdown tables (docs/benchmarks.md, "Performance (issue 7)").
/// </summary>
internal static class PerfHarness
{
    public static bool TryRun(string[] args)
    {
        if (args.Length > 0 && args[0] == "import-session")
        {
            ImportBench.CreateSession(args);   // the import bench's child process: no banner on stdout
            return true;
        }

        if (args.Length > 0 && args[0] == "half-matmul")
        {
            HalfMatMulBench.Run(args);
            return true;
        }

        if (args.Length > 0 && args[0] == "import-packages")
        {
            ImportBench.Packages(args);
            return true;
        }

        if (args.Length == 0 || args[0] is not ("overhead" or "scaling" or "memory" or "profile" or "png" or "batch" or "load" or "truecfg" or "graph" or "import"))
        {
            return false;
        }

        bool quick = args.Contains("--quick");
        var options = new InferenceOptions { ExecutionProvider = ExecutionProviderKind.Cpu };
        Console.WriteLine($"machine: {Environment.ProcessorCount} logical cores, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, .NET {Environment.Version}");
        switch (args[0])
        {
            case "overhead":
                OverheadBench.Run(OverheadBench.DefaultCases(quick).Where(c => Filter(args, c.Side)).ToList(), OptionSets(args, options));
                break;
            case "scaling":
                ScalingBench.Run(quick);
                break;
            case "load":
                LoadBench.Run();
                break;
            case "batch":
                BatchBench.Run(quick, options);
                break;
            case "graph":
                GraphBench.Run(quick, Number(args, "--rounds"));
                break;
            case "import":
                ImportBench.Run(args);
                break;
            case "truecfg":
                TrueCfgBench.Run(quick, options);
                break;
            case "png":
                PngOptions.Run();
                break;
            case "memory":
                MemoryBench.Run(quick, Number(args, "--images") ?? 2);
                break;
            default:
                Profile(args);
                break;
        }

        return true;
    }

    /// <summary>The value after option <paramref name="name"/> (`--rounds 3`), or null when the option is absent.</summary>
    public static string? Option(string[] args, string name)
    {
        int i = Array.IndexOf(args, name);
        if (i < 0)
        {
            return null;
        }

        return i + 1 < args.Length ? args[i + 1] : throw new ArgumentException($"{name} needs a value");
    }

    /// <summary>The number after option <paramref name="name"/>, or null when the option is absent.</summary>
    public static int? Number(string[] args, string name) =>
        Option(args, name) is { } value ? int.Parse(value, System.Globalization.CultureInfo.InvariantCulture) : null;

    /// <summary>`profile HIDDEN HEADS DOUBLE SINGLE SIDE [--graph plain|fused]`: per-operator time of one tiny transformer step.</summary>
    private static void Profile(string[] args)
    {
        int[] n = args.Skip(1).Take(5).Select(a => int.Parse(a, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        int g = Array.IndexOf(args, "--graph");
        var graph = g >= 0 && g + 1 < args.Length
            ? Enum.Parse<Flux.ModelBuilder.Tiny.TransformerGraph>(args[g + 1], ignoreCase: true)
            : Flux.ModelBuilder.Tiny.TransformerGraph.Fused;
        var o = new Flux.ModelBuilder.Tiny.TinyFluxOptions { HiddenSize = n[0], HeadCount = n[1], DoubleBlocks = n[2], SingleBlocks = n[3], T5Width = n[0] == 3072 ? 4096 : n[0], Graph = graph };
        using var step = new TransformerStep(o, n[4], profile: true);
        double ms = Math.Min(step.Run(), step.Run());
        OpProfile.Print(step.EndProfiling());
        Console.WriteLine($"{ms:0.0} ms per step (fastest of 2; {step.Flops / 1e9:0.00} GFLOP)");
    }

    /// <summary>`--compare spinning|threads` measures session settings side by side (before/after); default: the defaults only.</summary>
    private static List<(string, InferenceOptions)> OptionSets(string[] args, InferenceOptions defaults)
    {
        int i = Array.IndexOf(args, "--compare");
        string? what = i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
        return what switch
        {
            null => [("defaults", defaults)],
            "spinning" => [("spinning on", new InferenceOptions { ExecutionProvider = defaults.ExecutionProvider, AllowSpinning = true }), ("spinning off", defaults)],
            "threads" =>
            [
                ("intra-op 1", new InferenceOptions { ExecutionProvider = defaults.ExecutionProvider, IntraOpThreads = 1 }),
                ("intra-op 2", new InferenceOptions { ExecutionProvider = defaults.ExecutionProvider, IntraOpThreads = 2 }),
                ("inter-op 2, parallel", new InferenceOptions { ExecutionProvider = defaults.ExecutionProvider, InterOpThreads = 2 }),
            ],
            _ => throw new ArgumentException($"--compare {what} is unknown; allowed: spinning, threads"),
        };
    }

    /// <summary>`--sizes 256,512` limits the cases to those sides.</summary>
    private static bool Filter(string[] args, int side)
    {
        int i = Array.IndexOf(args, "--sizes");
        return i < 0 || i + 1 >= args.Length || args[i + 1].Split(',').Contains(side.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }
}
