using BenchmarkDotNet.Running;
using Flux.Benchmarks.Perf;

// Custom harness modes (overhead, scaling, memory) measure whole generations side by side in one
// process; everything else goes to BenchmarkDotNet.
if (!PerfHarness.TryRun(args))
{
    BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
