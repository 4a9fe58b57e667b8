using System.Text.Json;
using Flux.Functions.Http;
using Flux.Functions.Storage;
using Flux.Functions.Tests.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.DurableTask.Client;
using StatusCodes = Microsoft.AspNetCore.Http.StatusCodes;

namespace Flux.Functions.Tests;

[Collection(AzuriteCollection.Name)]
public sealed class HttpApiTests(AzuriteFixture azurite)
{
    private static readonly TimeSpan PollTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Post_Returns202WithStatusLinks_AndTheImageIsServedAsPng()
    {
        await using var service = await FluxTestService.StartAsync(azurite, new FakeRenderer());
        var api = service.Create<GenerationsApi>();

        var post = HttpCalls.Request("POST", "/api/generations", """{"items": [{"prompt": "a red circle"}], "defaults": {"steps": 3}}""");
        var accepted = await HttpCalls.ExecuteAsync(post, await api.StartAsync(post, service.Client, CancellationToken.None));

        Assert.Equal(StatusCodes.Status202Accepted, accepted.StatusCode);
        var body = HttpCalls.Json(accepted);
        string id = body.GetProperty("id").GetString()!;
        string statusUrl = $"https://{HttpCalls.Host}/api/generations/{id}";
        Assert.Equal(statusUrl, accepted.Headers.Location.ToString());
        Assert.Equal(statusUrl, body.GetProperty("links").GetProperty("status").GetString());
        Assert.Equal($"{statusUrl}/images/{{n}}", body.GetProperty("links").GetProperty("images").GetString());

        var status = await PollAsync(service, api, id, s => s.GetProperty("status").GetString() == "Completed");
        Assert.Equal((1, 1, 0), (status.GetProperty("total").GetInt32(), status.GetProperty("completed").GetInt32(), status.GetProperty("failed").GetInt32()));
        Assert.Equal($"{statusUrl}/images/0", status.GetProperty("images")[0].GetProperty("url").GetString());

        var get = HttpCalls.Request("GET", $"/api/generations/{id}/images/0");
        var image = await HttpCalls.ExecuteAsync(get, await api.GetImageAsync(get, id, 0, service.Client, CancellationToken.None));
        Assert.Equal((200, ImageStore.PngContentType), (image.StatusCode, image.ContentType));
        var stored = await JobAssertions.DownloadAsync(await JobAssertions.ContainerAsync(service, o => o.ImagesContainer), ImageStore.ImageName(id, 0));
        Assert.Equal(stored, HttpCalls.Bytes(image));
    }

    [Fact]
    public async Task Get_WhileRunning_ShowsTheStepEachImageReached()
    {
        var gated = new GatedRenderer(new FakeRenderer());
        await using var service = await FluxTestService.StartAsync(azurite, gated);
        var api = service.Create<GenerationsApi>();
        try
        {
            string id = await StartAsync(service, api, """{"items": [{"prompt": "a slow red circle", "steps": 6}]}""");

            // Chunks of 4 steps: the first chunk finishes, the second waits at the gate.
            var running = await PollAsync(service, api, id, s => s.GetProperty("currentSteps").TryGetProperty("0", out var p) && p.GetProperty("step").GetInt32() == 4);
            Assert.Equal("Running", running.GetProperty("status").GetString());
            Assert.Equal((1, 0), (running.GetProperty("total").GetInt32(), running.GetProperty("completed").GetInt32()));
            var step = running.GetProperty("currentSteps").GetProperty("0");
            Assert.Equal(("denoising", 6), (step.GetProperty("stage").GetString(), step.GetProperty("totalSteps").GetInt32()));
            Assert.Equal(0, running.GetProperty("images").GetArrayLength());

            gated.Release();
            var done = await PollAsync(service, api, id, s => s.GetProperty("status").GetString() == "Completed");
            Assert.Equal(1, done.GetProperty("completed").GetInt32());
        }
        finally
        {
            gated.Release();
        }
    }

    [Fact]
    public async Task Post_WithInvalidFields_Returns400ProblemDetailsNamingEachField()
    {
        await using var service = await FluxTestService.StartAsync(azurite, new FakeRenderer(), new Dictionary<string, string?> { ["Flux:MaxSteps"] = "50" });
        var api = service.Create<GenerationsApi>();
        var post = HttpCalls.Request("POST", "/api/generations", """
            {"items": [{"prompt": " ", "width": 1000, "height": 4096, "steps": 51, "guidance": -1, "seed": -5, "sampler": "ddim"},
                       {"prompt": "fine"}],
             "jobId": "not a valid id!"}
            """);

        var response = await HttpCalls.ExecuteAsync(post, await api.StartAsync(post, service.Client, CancellationToken.None));

        Assert.Equal((400, "application/problem+json"), (response.StatusCode, response.ContentType?.Split(';')[0]));
        var problem = HttpCalls.Json(response);
        Assert.Equal(400, problem.GetProperty("status").GetInt32());
        var errors = problem.GetProperty("errors");
        Assert.Equal(
            ["items[0].guidance", "items[0].height", "items[0].prompt", "items[0].sampler", "items[0].seed", "items[0].steps", "items[0].width", "jobId"],
            errors.EnumerateObject().Select(e => e.Name).Order(StringComparer.Ordinal));
        Assert.Equal("width 1000 is not a multiple of 16", errors.GetProperty("items[0].width")[0].GetString());
        Assert.Equal("height 4096 is out of range: it must be between 16 and 2048 pixels", errors.GetProperty("items[0].height")[0].GetString());
        Assert.Equal("steps 51 is out of range: it must be between 1 and 50", errors.GetProperty("items[0].steps")[0].GetString());
    }

    [Theory]
    [InlineData("{\"items\": [{\"prompt\": \"a\", \"width\": \"wide\"}]}", "items[0].width", "expected a whole number")]
    [InlineData("", "$", "not valid JSON")]
    public async Task Post_WithMalformedJson_Returns400NamingThePath(string body, string path, string message)
    {
        await using var service = await FluxTestService.StartAsync(azurite, new FakeRenderer());
        var api = service.Create<GenerationsApi>();
        var post = HttpCalls.Request("POST", "/api/generations", body);

        var response = await HttpCalls.ExecuteAsync(post, await api.StartAsync(post, service.Client, CancellationToken.None));

        Assert.Equal(400, response.StatusCode);
        Assert.StartsWith(message, HttpCalls.Json(response).GetProperty("errors").GetProperty(path)[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownIds_Return404ProblemDetails()
    {
        await using var service = await FluxTestService.StartAsync(azurite, new FakeRenderer());
        var api = service.Create<GenerationsApi>();
        string id = await StartAsync(service, api, """{"items": [{"prompt": "a red circle", "steps": 2}]}""");
        await service.WaitAsync(id);

        var get = HttpCalls.Request("GET", "/api/generations/nope");
        var image = HttpCalls.Request("GET", "/api/generations/nope/images/0");
        var outOfRange = HttpCalls.Request("GET", $"/api/generations/{id}/images/7");
        var child = HttpCalls.Request("GET", $"/api/generations/{id}-0");
        var delete = HttpCalls.Request("DELETE", "/api/generations/nope");
        var responses = new[]
        {
            await HttpCalls.ExecuteAsync(get, await api.GetAsync(get, "nope", service.Client, CancellationToken.None)),
            await HttpCalls.ExecuteAsync(image, await api.GetImageAsync(image, "nope", 0, service.Client, CancellationToken.None)),
            await HttpCalls.ExecuteAsync(outOfRange, await api.GetImageAsync(outOfRange, id, 7, service.Client, CancellationToken.None)),
            await HttpCalls.ExecuteAsync(child, await api.GetAsync(child, $"{id}-0", service.Client, CancellationToken.None)),
            await HttpCalls.ExecuteAsync(delete, await api.CancelAsync(delete, "nope", service.Client, CancellationToken.None)),
        };

        Assert.All(responses, r => Assert.Equal((404, "application/problem+json"), (r.StatusCode, r.ContentType?.Split(';')[0])));
        Assert.Contains("\"nope\" does not exist", HttpCalls.Json(responses[0]).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Contains("image 7", HttpCalls.Json(responses[2]).GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public Task Delete_CancelsARunningGeneration_AndAFinishedOneIsAConflict() =>
        WithImageRenderingAsync("a cancelled square", async (service, api, id) =>
        {
            var cancelled = await DeleteAsync(service, api, id);
            Assert.Equal(202, cancelled.StatusCode);

            var final = await service.WaitAsync(id);
            Assert.Equal(OrchestrationRuntimeStatus.Terminated, final.RuntimeStatus);
            var image = await service.WaitAsync($"{id}-0"); // recursive: the rendering image stops too
            Assert.Equal(OrchestrationRuntimeStatus.Terminated, image.RuntimeStatus);
            var status = await PollAsync(service, api, id, s => s.GetProperty("status").GetString() == "Terminated");
            Assert.Equal(0, status.GetProperty("completed").GetInt32());

            var conflict = await DeleteAsync(service, api, id);
            Assert.Equal(409, conflict.StatusCode);
        });

    [Fact]
    public Task CancelMarkerSeenBeforeTheTermination_ImageStillEndsTerminated() =>
        // A cancel request writes the job's marker, then terminates the job and its images. A running activity that
        // sees the marker first fails with JobCancelledException; here that race is taken deterministically by
        // writing the marker alone and terminating later. The image must wait for its termination, not end Failed.
        WithImageRenderingAsync("a raced square", async (service, api, id) =>
        {
            await service.Get<CheckpointStore>().MarkCancelledAsync(id, CancellationToken.None);

            await Task.Delay(TimeSpan.FromSeconds(2));   // the activity polls the marker every 20 ms; without the wait it fails at once
            var image = await service.Client.GetInstanceAsync($"{id}-0");
            Assert.Equal(OrchestrationRuntimeStatus.Running, image!.RuntimeStatus);

            Assert.Equal(202, (await DeleteAsync(service, api, id)).StatusCode);   // the rest of the request: terminations
            Assert.Equal(OrchestrationRuntimeStatus.Terminated, (await service.WaitAsync($"{id}-0")).RuntimeStatus);
            Assert.Equal(OrchestrationRuntimeStatus.Terminated, (await service.WaitAsync(id)).RuntimeStatus);
        });

    /// <summary>Starts a one-image job whose Denoise is held at its first checkpoint, runs <paramref name="test"/> on it, then lets it go.</summary>
    private async Task WithImageRenderingAsync(string prompt, Func<FluxTestService, GenerationsApi, string, Task> test)
    {
        var gated = new GatedRenderer(new FakeRenderer());
        await using var service = await FluxTestService.StartAsync(azurite, gated);
        var api = service.Create<GenerationsApi>();
        try
        {
            string id = await StartAsync(service, api, $$"""{"items": [{"prompt": "{{prompt}}", "steps": 6}]}""");
            await PollAsync(service, api, id, s => s.GetProperty("currentSteps").TryGetProperty("0", out _));
            await test(service, api, id);
        }
        finally
        {
            gated.Release();
        }
    }

    private static async Task<HttpResponse> DeleteAsync(FluxTestService service, GenerationsApi api, string id)
    {
        var delete = HttpCalls.Request("DELETE", $"/api/generations/{id}");
        return await HttpCalls.ExecuteAsync(delete, await api.CancelAsync(delete, id, service.Client, CancellationToken.None));
    }

    [Fact]
    public async Task Models_ListsTheLoadedModelWithDefaultsAndLimits()
    {
        var renderer = new FakeRenderer();
        await using var service = await FluxTestService.StartAsync(azurite, renderer, new Dictionary<string, string?> { ["Flux:MaxImagesPerJob"] = "12" });
        var request = HttpCalls.Request("GET", "/api/models");

        var response = await HttpCalls.ExecuteAsync(request, service.Create<ModelsApi>().GetModels(request));

        var model = HttpCalls.Json(response).GetProperty("models")[0];
        Assert.Equal(renderer.ModelId, model.GetProperty("id").GetString());
        Assert.Equal(renderer.Defaults.Steps, model.GetProperty("defaults").GetProperty("steps").GetInt32());
        Assert.Equal(12, model.GetProperty("limits").GetProperty("maxImagesPerJob").GetInt32());
    }

    private static async Task<string> StartAsync(FluxTestService service, GenerationsApi api, string body)
    {
        var post = HttpCalls.Request("POST", "/api/generations", body);
        var response = await HttpCalls.ExecuteAsync(post, await api.StartAsync(post, service.Client, CancellationToken.None));
        Assert.Equal(202, response.StatusCode);
        return HttpCalls.Json(response).GetProperty("id").GetString()!;
    }

    /// <summary>GETs the status until <paramref name="until"/> holds.</summary>
    private static async Task<JsonElement> PollAsync(FluxTestService service, GenerationsApi api, string id, Func<JsonElement, bool> until)
    {
        var deadline = DateTime.UtcNow + PollTimeout;
        while (true)
        {
            var get = HttpCalls.Request("GET", $"/api/generations/{id}");
            var response = await HttpCalls.ExecuteAsync(get, await api.GetAsync(get, id, service.Client, CancellationToken.None));
            Assert.Equal(200, response.StatusCode);
            var status = HttpCalls.Json(response);
            if (until(status))
            {
                return status;
            }

            Assert.True(DateTime.UtcNow < deadline, $"status never matched: {status}");
            await Task.Delay(50);
        }
    }
}
