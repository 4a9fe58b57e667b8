using System.Text.Json;
using System.Text.RegularExpressions;
using Flux.Functions.Http;
using Flux.Functions.Tests.Hosting;

namespace Flux.Functions.Tests;

/// <summary>
/// What the Functions host will bind, read from the functions.metadata the worker SDK generates at
/// build, from host.json, and from the OpenAPI document the app serves.
/// </summary>
public sealed partial class BindingsTests
{
    /// <summary>Every function of functions.metadata (read once).</summary>
    internal static readonly JsonElement[] Functions = ReadMetadata();

    [Fact]
    public void Metadata_ListsEveryTriggerWithItsRouteQueueBlobPathAndConnection()
    {
        var triggers = Functions.ToDictionary(f => f.GetProperty("name").GetString()!, Trigger);

        Assert.Equal(
            ["CancelGeneration", "DecodeAndSave", "DeliverWebhook", "Denoise", "EncodePrompt", "GenerateJob", "GetGeneration", "GetGenerationImage",
             "GetGenerationPreview", "GetModels", "GetOpenApi", "Health", "JobsQueue", "PromptsBlob", "PublishEvents", "RecordWebhookFailure", "RenderImage", "StartGeneration", "WriteManifest"],
            triggers.Keys.Order(StringComparer.Ordinal));

        Assert.Equal(("httpTrigger", "generations", "post", "Function"), Http(triggers["StartGeneration"]));
        Assert.Equal(("httpTrigger", "generations/{id}", "get", "Function"), Http(triggers["GetGeneration"]));
        Assert.Equal(("httpTrigger", "generations/{id}/images/{n:int}", "get", "Function"), Http(triggers["GetGenerationImage"]));
        Assert.Equal(("httpTrigger", "generations/{id}/images/{n:int}/preview", "get", "Function"), Http(triggers["GetGenerationPreview"]));
        Assert.Equal(("httpTrigger", "generations/{id}", "delete", "Function"), Http(triggers["CancelGeneration"]));
        Assert.Equal(("httpTrigger", "models", "get", "Function"), Http(triggers["GetModels"]));
        Assert.Equal(("httpTrigger", "openapi.json", "get", "Function"), Http(triggers["GetOpenApi"]));
        Assert.Equal(("httpTrigger", "health", "get", "Anonymous"), Http(triggers["Health"]));

        var queue = triggers["JobsQueue"];
        Assert.Equal(("queueTrigger", "flux-jobs", "AzureWebJobsStorage"),
            (queue.GetProperty("type").GetString(), queue.GetProperty("queueName").GetString(), queue.GetProperty("connection").GetString()));
        var blob = triggers["PromptsBlob"];
        Assert.Equal(("blobTrigger", "flux-prompts/{name}", "AzureWebJobsStorage"),
            (blob.GetProperty("type").GetString(), blob.GetProperty("path").GetString(), blob.GetProperty("connection").GetString()));

        Assert.All(["GenerateJob", "RenderImage"], n => Assert.Equal("orchestrationTrigger", triggers[n].GetProperty("type").GetString()));
        Assert.All(["EncodePrompt", "Denoise", "DecodeAndSave", "WriteManifest", "PublishEvents", "DeliverWebhook", "RecordWebhookFailure"],
            n => Assert.Equal("activityTrigger", triggers[n].GetProperty("type").GetString()));
    }

    [Fact]
    public void Metadata_GivesEveryStarterADurableClient()
    {
        foreach (string name in new[] { "StartGeneration", "GetGeneration", "GetGenerationImage", "GetGenerationPreview", "CancelGeneration", "JobsQueue", "PromptsBlob" })
        {
            var function = Functions.Single(f => f.GetProperty("name").GetString() == name);
            Assert.Contains(function.GetProperty("bindings").EnumerateArray(), b => b.GetProperty("type").GetString() == "durableClient");
        }
    }

    [Fact]
    public void HostJson_PutsDurableTaskUnderExtensions_WithTheGpuWorkerSettings()
    {
        using var host = JsonDocument.Parse(File.ReadAllText(RepoPaths.Combine("host.json")));
        var root = host.RootElement;
        Assert.Equal("2.0", root.GetProperty("version").GetString());
        Assert.False(root.TryGetProperty("durableTask", out _), "durableTask must be under extensions, not at the root");
        Assert.Equal(TimeSpan.FromHours(1), TimeSpan.Parse(root.GetProperty("functionTimeout").GetString()!, System.Globalization.CultureInfo.InvariantCulture));

        var durable = root.GetProperty("extensions").GetProperty("durableTask");
        Assert.Equal(1, durable.GetProperty("maxConcurrentActivityFunctions").GetInt32()); // one render per GPU at a time
        Assert.InRange(durable.GetProperty("maxConcurrentOrchestratorFunctions").GetInt32(), 1, 64);
        var storage = durable.GetProperty("storageProvider");
        Assert.InRange(storage.GetProperty("partitionCount").GetInt32(), 1, 16);
        Assert.True(storage.GetProperty("controlQueueBatchSize").GetInt32() > 0);

        var queues = root.GetProperty("extensions").GetProperty("queues");
        Assert.Equal((8, 5), (queues.GetProperty("batchSize").GetInt32(), queues.GetProperty("maxDequeueCount").GetInt32()));
        Assert.Equal("00:00:30", queues.GetProperty("visibilityTimeout").GetString());
        Assert.Equal("api", root.GetProperty("extensions").GetProperty("http").GetProperty("routePrefix").GetString());

        // The copy the Functions host reads is the root file, linked into the build output.
        Assert.Equal(File.ReadAllText(RepoPaths.Combine("host.json")), File.ReadAllText(RepoPaths.FunctionsOutput("host.json")));
    }

    [Fact]
    public void OpenApi_ServedByTheApp_IsTheDocsCopy_AndListsEveryHttpRoute()
    {
        using var served = new StreamReader(ModelsApi.OpenApiDocument());
        string document = served.ReadToEnd();
        Assert.Equal(File.ReadAllText(RepoPaths.Combine("docs", "openapi.json")), document);

        using var openApi = JsonDocument.Parse(document);
        Assert.StartsWith("3.", openApi.RootElement.GetProperty("openapi").GetString(), StringComparison.Ordinal);
        var paths = openApi.RootElement.GetProperty("paths");
        var httpFunctions = Functions.Select(f => (Name: f.GetProperty("name").GetString()!, Trigger: Trigger(f)))
            .Where(f => f.Trigger.GetProperty("type").GetString() == "httpTrigger").ToList();
        Assert.Equal(8, httpFunctions.Count);
        foreach (var (name, trigger) in httpFunctions)
        {
            string path = "/" + RouteConstraint().Replace(trigger.GetProperty("route").GetString()!, "{$1}");
            Assert.True(paths.TryGetProperty(path, out var item), $"openapi.json lacks {path} ({name})");
            foreach (var method in trigger.GetProperty("methods").EnumerateArray())
            {
                Assert.True(item.TryGetProperty(method.GetString()!, out var operation), $"openapi.json lacks {method} {path}");
                Assert.Equal(name, operation.GetProperty("operationId").GetString());
            }
        }

        Assert.Equal(httpFunctions.Count, paths.EnumerateObject().Sum(p => p.Value.EnumerateObject().Count()));
    }

    internal static JsonElement Trigger(JsonElement function)
        => function.GetProperty("bindings").EnumerateArray().Single(b => b.GetProperty("type").GetString()!.EndsWith("Trigger", StringComparison.Ordinal));

    private static (string?, string?, string?, string?) Http(JsonElement trigger)
        => (trigger.GetProperty("type").GetString(), trigger.GetProperty("route").GetString(),
            trigger.GetProperty("methods").EnumerateArray().Single().GetString(), trigger.GetProperty("authLevel").GetString());

    /// <summary>The functions.metadata of the Flux.Functions build (same configuration as this test build).</summary>
    private static JsonElement[] ReadMetadata()
    {
        string configuration = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name; // bin/<configuration>/net10.0/
        string path = RepoPaths.Combine("src", "Flux.Functions", "bin", configuration, "net10.0", "functions.metadata");
        using var metadata = JsonDocument.Parse(File.ReadAllText(path));
        return [.. metadata.RootElement.EnumerateArray().Select(e => e.Clone())];
    }

    [GeneratedRegex(@"\{(\w+):\w+\}")]
    private static partial Regex RouteConstraint();
}
