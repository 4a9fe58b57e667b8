using System.Globalization;
using System.Text.Json;

namespace Flux.Benchmarks.Perf;

/// <summary>Sums ONNX Runtime's profile (the JSON EndProfiling writes) by operator type: where a step's time goes.</summary>
internal static class OpProfile
{
    public static void Print(string profileFile)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(profileFile));
        var totals = new Dictionary<string, (double Microseconds, int Count)>(StringComparer.Ordinal);
        foreach (var e in document.RootElement.EnumerateArray())
        {
            if (e.GetProperty("cat").GetString() != "Node" || !e.GetProperty("name").GetString()!.EndsWith("_kernel_time", StringComparison.Ordinal))
            {
                continue;
            }

            string op = e.GetProperty("args").GetProperty("op_name").GetString()!;
            var (us, n) = totals.GetValueOrDefault(op);
            totals[op] = (us + e.GetProperty("dur").GetDouble(), n + 1);
        }

        double all = totals.Values.Sum(v => v.Microseconds);
        Console.WriteLine("| operator | ms (all profiled runs) | share | kernels |");
        Console.WriteLine("| --- | ---: | ---: | ---: |");
        foreach (var (op, (us, n)) in totals.OrderByDescending(t => t.Value.Microseconds).Take(12))
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {op} | {us / 1000:0.0} | {us / all:P0} | {n} |"));
        }
    }
}
