using Azure.Storage.Blobs.Models;
using Flux.Functions.Http;
using Flux.Functions.Jobs;
using Flux.Functions.Queues;
using Flux.Functions.Rendering;
using Flux.Functions.Storage;
using Flux.Functions.Tests.Hosting;
using Flux.Inference;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Flux.Functions.Tests.Hostile;

/// <summary>Fails the Denoise of every prompt containing <paramref name="marker"/>, as invalid input.</summary>
internal sealed class FailingPromptRenderer(IImageRenderer inner, string marker) : RendererDecorator(inner)
{
    public override Task<DenoiseChunk> DenoiseAsync(DenoiseChunkRequest request, CancellationToken cancellationToken)
        => request.Spec.Prompt.Contains(marker, StringComparison.Ordinal)
            ? throw new InvalidRenderInputException($"image {request.Spec.ImageIndex} refused by the test renderer")
            : base.DenoiseAsync(request, cancellationToken);
}

[Collection(AzuriteCollection.Name)]
public sealed class SecretsAndLinksTests(AzuriteFixture azurite)
{
    private const string FailMarker = "[fail]";

    /// <summary>What must never appear in a log line: the account key itself and the markers of keys and SAS tokens.</summary>
    private string[] Secrets => [AccountKey(azurite.ConnectionString), "AccountKey=", "SharedAccessSignature", "sig="];

    [Fact]
    public async Task Logs_AtTraceLevel_AcrossStartRunFailuresAndConfiguration_ContainNoKeyOrSignature()
    {
        var capture = new LogCapture();
        using (capture.ListenToAzureSdk())
        {
            await using var service = await FluxTestService.StartAsync(
                azurite,
                new FailingPromptRenderer(new FakeRenderer(), FailMarker),
                services: s => s.AddLogging(b => b.AddProvider(capture).SetMinimumLevel(LogLevel.Trace)));
            var api = service.Create<GenerationsApi>();

            // A job with one image that renders and one that fails, polled and fetched over HTTP.
            var post = HttpCalls.Request("POST", "/api/generations", $$$"""{"items": [{"prompt": "a red circle"}, {"prompt": "{{{FailMarker}}} a square"}], "defaults": {"steps": 2}}""");
            var accepted = HttpCalls.Json(await HttpCalls.ExecuteAsync(post, await api.StartAsync(post, service.Client, CancellationToken.None)));
            string id = accepted.GetProperty("id").GetString()!;
            var job = await service.WaitAsync(id);
            Assert.Equal(OrchestrationRuntimeStatus.Completed, job.RuntimeStatus);
            var get = HttpCalls.Request("GET", $"/api/generations/{id}");
            await HttpCalls.ExecuteAsync(get, await api.GetAsync(get, id, service.Client, CancellationToken.None));
            var image = HttpCalls.Request("GET", $"/api/generations/{id}/images/0");
            await HttpCalls.ExecuteAsync(image, await api.GetImageAsync(image, id, 0, service.Client, CancellationToken.None));

            // Refusals: a bad body, a bad queue message, a cancel of a finished job.
            var bad = HttpCalls.Request("POST", "/api/generations", """{"items": [{"prompt": "a", "steps": 0}], "jobId": "../x"}""");
            await HttpCalls.ExecuteAsync(bad, await api.StartAsync(bad, service.Client, CancellationToken.None));
            await service.Create<JobQueueTrigger>().HandleAsync("""{"items": [{"prompt": "a", "width": 1000}]}""", dequeueCount: 1, service.Client, CancellationToken.None);
            var cancel = HttpCalls.Request("DELETE", $"/api/generations/{id}");
            await HttpCalls.ExecuteAsync(cancel, await api.CancelAsync(cancel, id, service.Client, CancellationToken.None));
        }

        // Configuration failures with the key in configuration: the errors name settings, never values.
        capture.Add("config", ConfigurationError(new() { ["AzureWebJobsStorage"] = azurite.ConnectionString, ["Flux:MaxParallelImages"] = "0" }));
        capture.Add("config", ConfigurationError(new() { ["AzureWebJobsStorage"] = azurite.ConnectionString.Replace("BlobEndpoint=http://", "BlobEndpoint=http://[::bad", StringComparison.Ordinal) }));

        // The capture saw the paths it is meant to guard (so an empty capture cannot pass).
        var ids = capture.Lines.Select(l => l.EventId).ToHashSet();
        Assert.True(new[] { 1000, 1002, 1102, 1200, 1202 }.All(ids.Contains), $"event ids seen: {string.Join(", ", ids.Order())}");
        Assert.Contains(capture.Lines, l => l.Category.StartsWith("Azure:", StringComparison.Ordinal));
        var leaks = capture.Lines.Where(l => Secrets.Any(s => l.Text.Contains(s, StringComparison.OrdinalIgnoreCase))).ToList();
        Assert.True(leaks.Count == 0, $"{leaks.Count} of {capture.Lines.Count} log lines carry a secret, first: {leaks.FirstOrDefault()}");
    }

    [Fact]
    public async Task ResultLinks_WithAConnectionString_GoThroughTheAuthenticatedImageEndpoint()
    {
        await using var service = await FluxTestService.StartAsync(azurite, new FakeRenderer());
        var api = service.Create<GenerationsApi>();
        var post = HttpCalls.Request("POST", "/api/generations", """{"items": [{"prompt": "a red circle"}, {"prompt": "a blue square"}], "defaults": {"steps": 2}}""");
        string id = HttpCalls.Json(await HttpCalls.ExecuteAsync(post, await api.StartAsync(post, service.Client, CancellationToken.None))).GetProperty("id").GetString()!;
        await service.WaitAsync(id);

        var get = HttpCalls.Request("GET", $"/api/generations/{id}");
        var status = HttpCalls.Json(await HttpCalls.ExecuteAsync(get, await api.GetAsync(get, id, service.Client, CancellationToken.None)));

        var urls = status.GetProperty("images").EnumerateArray().Select(i => new Uri(i.GetProperty("url").GetString()!)).ToList();
        Assert.Equal(
            [$"https://{HttpCalls.Host}/api/generations/{id}/images/0", $"https://{HttpCalls.Host}/api/generations/{id}/images/1"],
            urls.Select(u => u.ToString()));
        Assert.All(urls, u => Assert.Empty(u.Query)); // no SAS, no key: the function key guards the route
        Assert.DoesNotContain(urls, u => u.Host == service.Get<StorageClients>().Blobs.Uri.Host);
    }

    [Fact]
    public async Task ResultLinks_WithAManagedIdentity_AreShortLivedReadOnlyUserDelegationSas_ForThatBlobOnly()
    {
        var account = new DelegationKeyBlobService(new Uri("https://fluxacct.blob.core.windows.net"));
        var identityStorage = new StorageClients(account, new Azure.Storage.Queues.QueueServiceClient(new Uri("https://fluxacct.queue.core.windows.net")), usesIdentity: true);
        var capture = new LogCapture();
        await using var service = await FluxTestService.StartAsync(azurite, new FakeRenderer(), services: s => s
            .AddLogging(b => b.AddProvider(capture).SetMinimumLevel(LogLevel.Trace))
            .AddSingleton(sp => new ImageLinks(identityStorage, sp.GetRequiredService<IOptions<FluxOptions>>(), TimeProvider.System)));
        var lifetime = service.Get<IOptions<FluxOptions>>().Value.ImageLinkLifetime;
        var api = service.Create<GenerationsApi>();
        var post = HttpCalls.Request("POST", "/api/generations", """{"items": [{"prompt": "a red circle"}, {"prompt": "a blue square"}], "defaults": {"steps": 2}}""");
        string id = HttpCalls.Json(await HttpCalls.ExecuteAsync(post, await api.StartAsync(post, service.Client, CancellationToken.None))).GetProperty("id").GetString()!;
        await service.WaitAsync(id);

        var asked = DateTimeOffset.UtcNow;
        var get = HttpCalls.Request("GET", $"/api/generations/{id}");
        var status = HttpCalls.Json(await HttpCalls.ExecuteAsync(get, await api.GetAsync(get, id, service.Client, CancellationToken.None)));

        var urls = status.GetProperty("images").EnumerateArray().Select(i => new Uri(i.GetProperty("url").GetString()!)).ToList();
        Assert.Equal(2, urls.Count);
        for (int n = 0; n < urls.Count; n++)
        {
            var link = new Azure.Storage.Blobs.BlobUriBuilder(urls[n]);
            Assert.Equal(("fluxacct.blob.core.windows.net", "flux-images", ImageStore.ImageName(id, n)), (urls[n].Host, link.BlobContainerName, link.BlobName));
            var sas = link.Sas;
            Assert.Equal(("r", "b", Azure.Storage.Sas.SasProtocol.Https), (sas.Permissions, sas.Resource, sas.Protocol)); // read one blob, HTTPS only
            Assert.NotEmpty(sas.Signature);
            Assert.NotEmpty(sas.KeyObjectId); // signed with a user-delegation key, not an account key
            Assert.InRange(sas.ExpiresOn, asked + lifetime - TimeSpan.FromMinutes(1), DateTimeOffset.UtcNow + lifetime + TimeSpan.FromSeconds(1));
        }

        Assert.Equal(1, account.KeysIssued); // one delegation key serves every link until links would outlive it
        Assert.DoesNotContain(capture.Lines, l => l.Text.Contains("sig=", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task EveryContainerTheAppCreates_IsPrivate()
    {
        await using var service = await FluxTestService.StartAsync(azurite, new FakeRenderer());
        await JobAssertions.RunJobAsync(service, JobAssertions.Request("a red circle"), $"private-{Guid.NewGuid():N}");
        await service.Create<JobQueueTrigger>().HandleAsync("not json", dequeueCount: 1, service.Client, CancellationToken.None); // creates flux-rejections
        var options = service.Get<IOptions<FluxOptions>>().Value;
        var blobs = service.Get<StorageClients>().Blobs;

        var containers = new List<string>();
        await foreach (var container in blobs.GetBlobContainersAsync())
        {
            containers.Add(container.Name);
            var policy = await blobs.GetBlobContainerClient(container.Name).GetAccessPolicyAsync();
            Assert.True(policy.Value.BlobPublicAccess == PublicAccessType.None, $"container {container.Name} allows public access {policy.Value.BlobPublicAccess}");
        }

        Assert.Superset(
            new HashSet<string> { options.ImagesContainer, options.CheckpointsContainer, options.ConditioningContainer, options.RejectionsContainer },
            containers.ToHashSet());
    }

    /// <summary>The message of the error the host would report at start-up with these settings.</summary>
    private static string ConfigurationError(Dictionary<string, string?> settings)
    {
        using var app = AppHost.Build(settings);
        var error = Record.Exception(() => app.Services.GetRequiredService<StorageClients>());
        Assert.NotNull(error);
        return error.ToString();
    }

    private static string AccountKey(string connectionString)
        => connectionString.Split(';').Select(p => p.Split('=', 2)).Single(p => p[0] == "AccountKey")[1];
}
