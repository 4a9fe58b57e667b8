using Flux.Inference.Sessions;

namespace Flux.Benchmarks.Perf;

/// <summary>
/// `dotnet run -c Release --project bench/Flux.Benchmarks -- overhead|scaling [--quick] [--sizes 256,512]`: whole-generation
/// measurements printed as Markdown tables (docs/benchmarks.md, "Performance (issue 7)").
/// </summary>
internal static class PerfHarness
{
    public static bool TryRun(string[] args)
    {
        if (args.Length == 0 || args[0] is not ("overhead" or "scaling"))
        {
            return false;
        }

        bool quick = args.Contains("--quick");
        var options = new InferenceOptions { ExecutionProvider = ExecutionProviderKind.Cpu };
        Console.WriteLine($"machine: {Environment.ProcessorCount} logical cores, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, .NET {Environment.Version}");
        switch (args[0])
        {
            case "overhead":
                OverheadBench.Run(OverheadBench.DefaultCases(quick).Where(c => Filter(args, c.Side)).ToList(), options);
                break;
            default:
                ScalingBench.Run(quick);
                break;
        }

        return true;
    }

    /// <summary>`--sizes 256,512` limits the cases to those sides.</summary>
    private static bool Filter(string[] args, int side)
    {
        int i = Array.IndexOf(args, "--sizes");
        return i < 0 || i + 1 >= args.Length || args[i + 1].Split(',').Contains(side.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }
}
