using System.Text.Json;
using Flux.Functions.Http;
using Flux.Functions.Rendering;
using Flux.Functions.Tests.Hosting;
using Flux.Inference;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Flux.Functions.Tests;

/// <summary>GET /api/health on the app's own host: 200 when the model is open and storage answers, else 503 naming the check.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class HealthTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task ModelOpenAndStorageReachable_Is200Healthy()
    {
        using var app = App(azurite.ConnectionString, s => s.AddSingleton<IImageRenderer>(new FakeRenderer()));

        var (status, body) = await GetHealthAsync(app);

        Assert.Equal(200, status);
        Assert.Equal("Healthy", body.GetProperty("status").GetString());
        Assert.Empty(body.GetProperty("failing").EnumerateArray());
        Assert.Equal(["model", "storage"], body.GetProperty("checks").EnumerateObject().Select(c => c.Name).Order());
    }

    [Fact]
    public async Task ModelThatCannotBeOpened_Is503NamingModel_WithoutTheServerPath()
    {
        const string file = "/srv/models/flux/transformer/model.onnx";
        using var app = App(azurite.ConnectionString, s => s.AddSingleton<IImageRenderer>(_ => throw new FluxModelException("truncated protobuf", file)));

        var (status, body) = await GetHealthAsync(app);

        Assert.Equal(503, status);
        Assert.Equal(["model"], body.GetProperty("failing").EnumerateArray().Select(e => e.GetString()));
        var model = body.GetProperty("checks").GetProperty("model");
        Assert.Equal("Unhealthy", model.GetProperty("status").GetString());
        Assert.Contains("model.onnx", model.GetProperty("description").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain("/srv/models", body.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ModelStillLoading_Is503NamingModel_AndHealthyOnceLoaded()
    {
        using var loaded = new ManualResetEventSlim();
        using var app = App(azurite.ConnectionString, s => s.AddSingleton<IImageRenderer>(_ =>
        {
            loaded.Wait(TimeSpan.FromSeconds(30));
            return new FakeRenderer();
        }));

        var (loading, body) = await GetHealthAsync(app);
        loaded.Set();
        await Task.Delay(200);
        var (ready, _) = await GetHealthAsync(app);

        Assert.Equal(503, loading);
        Assert.Equal(["model"], body.GetProperty("failing").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("Degraded", body.GetProperty("checks").GetProperty("model").GetProperty("status").GetString());
        Assert.Equal(200, ready);
    }

    [Fact]
    public async Task StorageUnreachable_Is503NamingStorage()
    {
        int closed = LoopbackPorts.FreeBelowEphemeralRange(); // nothing listens there
        string unreachable = $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;BlobEndpoint=http://127.0.0.1:{closed}/devstoreaccount1;QueueEndpoint=http://127.0.0.1:{closed}/devstoreaccount1;";
        using var app = App(unreachable, s => s.AddSingleton<IImageRenderer>(new FakeRenderer()));

        var (status, body) = await GetHealthAsync(app);

        Assert.Equal(503, status);
        Assert.Equal(["storage"], body.GetProperty("failing").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("Unhealthy", body.GetProperty("checks").GetProperty("storage").GetProperty("status").GetString());
        Assert.Equal("Healthy", body.GetProperty("checks").GetProperty("model").GetProperty("status").GetString());
    }

    private static IHost App(string storage, Action<IServiceCollection> renderer)
        => AppHost.Build(
            new Dictionary<string, string?> { ["AzureWebJobsStorage"] = storage, ["Flux:StorageMaxRetries"] = "0" },
            renderer);

    private static async Task<(int Status, JsonElement Body)> GetHealthAsync(IHost app)
    {
        var request = HttpCalls.Request("GET", "/api/health");
        var health = ActivatorUtilities.CreateInstance<HealthFunction>(app.Services);
        var response = await HttpCalls.ExecuteAsync(request, await health.RunAsync(request, CancellationToken.None));
        return (response.StatusCode, HttpCalls.Json(response));
    }
}
