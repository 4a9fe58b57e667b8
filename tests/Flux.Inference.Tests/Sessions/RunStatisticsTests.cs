using Flux.Inference.Sessions;

namespace Flux.Inference.Tests.Sessions;

public class RunStatisticsTests
{
    [Fact]
    public async Task Scope_ConcurrentMeasurements_EachCountOnlyTheirOwnRuns()
    {
        using var start = new Barrier(2);

        Task<long> Measure(int runs) => Task.Run(() =>
        {
            using var scope = RunStatistics.BeginScope();
            start.SignalAndWait();
            for (int i = 0; i < runs; i++)
            {
                RunStatistics.Record(10);
            }

            start.SignalAndWait();
            return scope.Statistics.Runs;
        });

        long[] counts = await Task.WhenAll(Measure(3), Measure(5));

        Assert.Equal([3L, 5L], counts);
    }

    [Fact]
    public async Task Scope_RunsOnTasksStartedInside_AreCounted()
    {
        using var scope = RunStatistics.BeginScope();

        await Task.Run(() => RunStatistics.Record(10));
        Parallel.For(0, 4, _ => RunStatistics.Record(10));

        Assert.Equal(5, scope.Statistics.Runs);
    }

    [Fact]
    public void Scope_Nested_InnerRunsCountInTheOuterToo_AndDisposeRestoresTheOuter()
    {
        long globalBefore = RunStatistics.Global.Runs;
        using var outer = RunStatistics.BeginScope();
        RunStatistics.Record(10);
        using (var inner = RunStatistics.BeginScope())
        {
            RunStatistics.Record(10);
            Assert.Equal(1, inner.Statistics.Runs);
        }

        RunStatistics.Record(10);

        Assert.Equal(3, outer.Statistics.Runs);
        Assert.True(RunStatistics.Global.Runs - globalBefore >= 3);
    }
}
