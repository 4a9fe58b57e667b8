using System.Diagnostics;
using Flux.Functions.Telemetry;
using Flux.Functions.Tests.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Flux.Functions.Tests;

/// <summary>
/// The spans and metrics of one job, as the app's own OpenTelemetry set-up exports them, read with an in-memory
/// exporter added to it.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class TelemetryTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task OneJob_ExportsJobImageActivityStageSpansAsOneTree_TaggedWithJobImageModelAndSteps_AndCountsTheImageOnce()
    {
        var spans = new List<Activity>();
        var metrics = new List<MetricSnapshot>();
        var renderer = new FakeRenderer();
        await using var service = await FluxTestService.StartAsync(azurite, renderer, services: s => s
            .ConfigureOpenTelemetryTracerProvider(t => t.AddInMemoryExporter(spans))
            .ConfigureOpenTelemetryMeterProvider(m => m.AddInMemoryExporter(metrics)));
        var tracing = service.Get<TracerProvider>(); // resolved by the host when it starts; here by hand
        var metering = service.Get<MeterProvider>();
        string jobId = $"traced-{Guid.NewGuid():N}";

        // 6 steps in chunks of 4 (FluxTestService): two Denoise activities.
        await JobAssertions.RunJobAsync(service, new Jobs.JobRequest([new Jobs.JobItemRequest("a traced star", Steps: 6, Seed: 3)]), jobId);
        tracing.ForceFlush();
        metering.ForceFlush();

        var job = Assert.Single(spans, s => s.DisplayName == "orchestration:GenerateJob" && Tag(s, FluxTelemetry.JobIdTag) == jobId);
        var tree = spans.Where(s => s.TraceId == job.TraceId).ToList();
        var byId = tree.ToDictionary(s => s.SpanId);
        bool Under(Activity span, Activity ancestor)
        {
            for (var at = span; byId.TryGetValue(at.ParentSpanId, out var parent); at = parent)
            {
                if (parent == ancestor)
                {
                    return true;
                }
            }

            return false;
        }

        // One image span (its execution, tagged with job and index) under the job; emitted once despite replays.
        var image = Assert.Single(tree, s => s.DisplayName == "orchestration:RenderImage" && Tag(s, FluxTelemetry.ImageIndexTag) == "0");
        Assert.True(Under(image, job));
        Assert.Equal(jobId, Tag(image, FluxTelemetry.JobIdTag));

        // Stage spans are children of their activity's span, which is under the image; all carry job, image, model, steps.
        var stages = tree.Where(s => s.Source.Name == FluxTelemetry.Name).ToList();
        Assert.Equal([FluxTelemetry.EncodeStage, FluxTelemetry.DenoiseStage, FluxTelemetry.DenoiseStage, FluxTelemetry.DecodeStage],
            stages.OrderBy(s => s.StartTimeUtc).Select(s => s.OperationName));
        foreach (var stage in stages)
        {
            var activity = byId[stage.ParentSpanId];
            Assert.StartsWith("activity:", activity.DisplayName, StringComparison.Ordinal);
            Assert.True(Under(activity, image), $"{activity.DisplayName} is not under the image span");
            foreach (var span in new[] { stage, activity })
            {
                Assert.Equal((jobId, "0", renderer.ModelId), (Tag(span, FluxTelemetry.JobIdTag), Tag(span, FluxTelemetry.ImageIndexTag), Tag(span, FluxTelemetry.ModelTag)));
            }
        }

        var denoise = stages.Where(s => s.OperationName == FluxTelemetry.DenoiseStage).OrderBy(s => s.StartTimeUtc).ToList();
        Assert.Equal([("0", "4"), ("4", "6")], denoise.Select(s => (Tag(s, FluxTelemetry.StepFromTag), Tag(s, FluxTelemetry.StepToTag))));
        Assert.All(denoise, s => Assert.Equal("6", Tag(s, FluxTelemetry.StepsTag)));

        // Metrics: one image completed (GenerateJob replays once per finished task: counted once), none failed,
        // one step-duration value per Denoise chunk.
        Assert.Equal(1, Sum(metrics, "flux.images.completed"));
        Assert.Equal(0, Sum(metrics, "flux.images.failed"));
        Assert.Equal(2, HistogramCount(metrics, "flux.denoise.step.duration"));
    }

    [Fact]
    public async Task QueueBacklogGauge_ReportsTheMessagesWaitingInThePoisonQueue()
    {
        var metrics = new List<MetricSnapshot>();
        await using var service = await FluxTestService.StartAsync(azurite, new FakeRenderer(), services: s => s
            .ConfigureOpenTelemetryMeterProvider(m => m.AddInMemoryExporter(metrics)));
        var metering = service.Get<MeterProvider>();
        var backlog = service.Get<QueueBacklog>();
        var poison = service.Get<Storage.StorageClients>().Queues.GetQueueClient(QueueBacklog.Queues[1]);
        await poison.CreateIfNotExistsAsync();

        await backlog.PollAsync(CancellationToken.None);
        metering.ForceFlush();
        long before = Gauge(metrics, "flux.queue.backlog", QueueBacklog.Queues[1]);
        for (int i = 0; i < 3; i++)
        {
            await poison.SendMessageAsync($"dead letter {i}");
        }

        metrics.Clear();
        await backlog.PollAsync(CancellationToken.None);
        metering.ForceFlush();

        Assert.Equal(before + 3, Gauge(metrics, "flux.queue.backlog", QueueBacklog.Queues[1]));
        await poison.ClearMessagesAsync();
    }

    private static string? Tag(Activity span, string name) => span.GetTagItem(name)?.ToString();

    private static long Sum(List<MetricSnapshot> metrics, string name)
        => Points(metrics, name).Sum(p => p.GetSumLong());

    private static long HistogramCount(List<MetricSnapshot> metrics, string name)
        => Points(metrics, name).Sum(p => p.GetHistogramCount());

    private static long Gauge(List<MetricSnapshot> metrics, string name, string queue)
        => Points(metrics, name).Where(p => QueueOf(p) == queue).Select(p => p.GetGaugeLastValueLong()).Last();

    private static string? QueueOf(MetricPoint point)
    {
        foreach (var tag in point.Tags)
        {
            if (tag.Key == FluxTelemetry.QueueTag)
            {
                return tag.Value?.ToString();
            }
        }

        return null;
    }

    /// <summary>The points of the latest export of a metric (cumulative: the latest holds the totals).</summary>
    private static List<MetricPoint> Points(List<MetricSnapshot> metrics, string name)
        => metrics.LastOrDefault(m => m.Name == name)?.MetricPoints.ToList() ?? [];
}

public sealed class TelemetryExportTests
{
    [Fact]
    public void AzureMonitorExport_UsesTheConnectionString_AndTheManagedIdentityTheAuthenticationStringNames()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            [TelemetryServiceCollectionExtensions.ConnectionStringSetting] = "InstrumentationKey=00000000-0000-0000-0000-000000000001;IngestionEndpoint=https://example.invalid/",
            [TelemetryServiceCollectionExtensions.AuthenticationStringSetting] = "ClientId=11111111-2222-3333-4444-555555555555;Authorization=AAD",
        }).Build();
        var withoutAuthentication = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            [TelemetryServiceCollectionExtensions.ConnectionStringSetting] = "InstrumentationKey=00000000-0000-0000-0000-000000000001",
        }).Build();
        var entra = new Azure.Monitor.OpenTelemetry.Exporter.AzureMonitorExporterOptions();
        var keyOnly = new Azure.Monitor.OpenTelemetry.Exporter.AzureMonitorExporterOptions();

        TelemetryServiceCollectionExtensions.ConfigureExporter(entra, configuration);
        TelemetryServiceCollectionExtensions.ConfigureExporter(keyOnly, withoutAuthentication);

        Assert.Equal(configuration[TelemetryServiceCollectionExtensions.ConnectionStringSetting], entra.ConnectionString);
        Assert.IsType<Azure.Identity.ManagedIdentityCredential>(entra.Credential);
        Assert.Null(keyOnly.Credential);
    }
}
