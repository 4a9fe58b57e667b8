using Flux.Functions.Http;
using Flux.Functions.Jobs;
using Flux.Functions.Orchestrations;
using Flux.Functions.Tests.Hosting;
using Microsoft.DurableTask.Client;

namespace Flux.Functions.Tests.Inputs;

/// <summary>
/// Input images over HTTP: decoded at submission with the configured limits; a refused file is a 400 naming its field,
/// and then no job starts and nothing is stored (not even the request's good images). Accepted uploads are stored as
/// blobs and the job's history carries their names, never their bytes.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class InputImageRequestTests(AzuriteFixture azurite)
{
    private const int Width = 64;   // FakeRenderer's default size
    private const int Height = 48;

    public static TheoryData<string, string> HostileFiles() => new()
    {
        { "truncated PNG", Convert.ToBase64String(TestImages.SolidPng(Width, Height)[..60]) },
        { "GIF", Convert.ToBase64String("GIF89a\u0001\u0000\u0001\u0000\u0000\u0000\u0000;"u8.ToArray()) },
        { "random bytes", Convert.ToBase64String([.. Enumerable.Range(0, 512).Select(i => (byte)(i * 37))]) },
        { "more pixels than Flux:MaxInputImagePixels", Convert.ToBase64String(TestImages.SolidPng(64, 64)) },
        { "PNG magic then nothing", Convert.ToBase64String([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) },
    };

    [Theory]
    [MemberData(nameof(HostileFiles))]
    public async Task Post_WithAHostileMask_Returns400NamingIt_StartsNothing_AndStoresNotEvenTheGoodImage(string what, string base64)
    {
        await using var service = await FluxTestService.StartAsync(azurite, new FakeRenderer(), new Dictionary<string, string?> { ["Flux:MaxInputImagePixels"] = "3072" });
        string jobId = $"hostile-{Guid.NewGuid():N}";
        string good = Convert.ToBase64String(TestImages.SolidPng(Width, Height));

        var response = await PostAsync(service, $$$"""
            {"jobId": "{{{jobId}}}", "items": [{"prompt": "a red circle", "steps": 2, "image": {"base64": "{{{good}}}"}, "mask": {"base64": "{{{base64}}}"}}]}
            """);

        Assert.True(response.StatusCode == 400, $"{what}: {response.StatusCode}");
        var errors = HttpCalls.Json(response).GetProperty("errors");
        Assert.Equal(["items[0].mask"], errors.EnumerateObject().Select(e => e.Name));
        Assert.Null(await service.Client.GetInstanceAsync(jobId));
        Assert.Empty(await JobAssertions.ListAsync(await JobAssertions.ContainerAsync(service, o => o.InputsContainer), $"{jobId}/"));
    }

    [Fact]
    public async Task Post_NamingAMissingBlob_Returns400_AndAPresentOne_RendersFromIt()
    {
        await using var service = await FluxTestService.StartAsync(azurite, new FakeRenderer());
        var inputs = await JobAssertions.ContainerAsync(service, o => o.InputsContainer);
        string name = $"uploads/{Guid.NewGuid():N}/cat.png";
        await inputs.GetBlobClient(name).UploadAsync(BinaryData.FromBytes(TestImages.SolidPng(Width, Height)));

        var missing = await PostAsync(service, """{"items": [{"prompt": "a red circle", "image": {"blob": "uploads/none.png"}, "strength": 0.5}]}""");
        var present = await PostAsync(service, $$$"""{"items": [{"prompt": "a red circle", "steps": 2, "image": {"blob": "{{{name}}}"}, "strength": 0.5}]}""");

        Assert.Equal(400, missing.StatusCode);
        Assert.StartsWith("blob \"uploads/none.png\" does not exist in the inputs container",
            HttpCalls.Json(missing).GetProperty("errors").GetProperty("items[0].image")[0].GetString(), StringComparison.Ordinal);
        Assert.Equal(202, present.StatusCode);
        var job = await service.WaitAsync(HttpCalls.Json(present).GetProperty("id").GetString()!);
        Assert.Equal(OrchestrationRuntimeStatus.Completed, job.RuntimeStatus);
        Assert.Empty(job.ReadOutputAs<JobResult>()!.Failures);
        Assert.Equal(name, job.ReadInputAs<GenerateJobInput>()!.Job.Items[0].Image);
    }

    [Fact]
    public async Task Upload_IsStoredOnceAsABlob_AndTheHistoryCarriesItsNameNotItsBytes()
    {
        await using var service = await FluxTestService.StartAsync(azurite, new FakeRenderer());
        byte[] png = TestImages.Png(TestImages.FlatCellsRgb(Width, Height, seed: 5), Width, Height);
        string base64 = Convert.ToBase64String(png);

        var response = await PostAsync(service, $$$"""
            {"items": [{"prompt": "a"}, {"prompt": "b"}], "defaults": {"steps": 2, "image": {"base64": "{{{base64}}}"}, "strength": 0.5}}
            """);

        Assert.Equal(202, response.StatusCode);
        string id = HttpCalls.Json(response).GetProperty("id").GetString()!;
        var job = await service.WaitAsync(id);
        Assert.Equal(OrchestrationRuntimeStatus.Completed, job.RuntimeStatus);
        Assert.DoesNotContain(base64[..64], job.SerializedInput, StringComparison.Ordinal);
        var items = job.ReadInputAs<GenerateJobInput>()!.Job.Items;
        string stored = Storage.InputImageStore.UploadName(id, "image", png);
        Assert.All(items, i => Assert.Equal(stored, i.Image));
        var inputs = await JobAssertions.ContainerAsync(service, o => o.InputsContainer);
        Assert.Equal([stored], await JobAssertions.ListAsync(inputs, $"{id}/"));
        Assert.Equal(png, await JobAssertions.DownloadAsync(inputs, stored));
    }

    /// <summary>A blob replaced by a hostile file after submission is checked again where it is read: the image fails as invalid input, not retried.</summary>
    [Fact]
    public async Task BlobReplacedAfterSubmission_FailsTheImageOnce_WithTheFieldNamed()
    {
        await using var service = await FluxTestService.StartAsync(azurite, new FakeRenderer());
        var inputs = await JobAssertions.ContainerAsync(service, o => o.InputsContainer);
        string name = $"swapped/{Guid.NewGuid():N}.png";
        var blob = inputs.GetBlobClient(name);
        await blob.UploadAsync(BinaryData.FromBytes(TestImages.SolidPng(Width, Height)));
        var starter = service.Get<JobStarter>();
        var validation = await starter.ValidateAsync(
            new JobRequest([new JobItemRequest("a swapped square", Steps: 2, Image: new ImageInput(Blob: name), Strength: 0.5f)]), $"swap-{Guid.NewGuid():N}", CancellationToken.None);
        Assert.True(validation.IsValid);

        await blob.UploadAsync(BinaryData.FromBytes("GIF89a"u8.ToArray()), overwrite: true);
        Assert.True(await starter.StartAsync(service.Client, validation.Job!, JobSource.Http, CancellationToken.None));
        var job = await service.WaitAsync(validation.Job!.JobId);

        var failure = Assert.Single(job.ReadOutputAs<JobResult>()!.Failures);
        Assert.Contains("image:", failure.Reason, StringComparison.Ordinal);
        Assert.Contains("GIF", failure.Reason, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>The queue and the prompts-file triggers check images as HTTP does: a refused one is a rejection record naming the field, and no job.</summary>
    [Fact]
    public async Task QueueMessage_NamingAHostileBlob_IsRejectedWithTheField_AndStartsNoJob()
    {
        await using var service = await FluxTestService.StartAsync(azurite, new FakeRenderer());
        var inputs = await JobAssertions.ContainerAsync(service, o => o.InputsContainer);
        string name = $"queued/{Guid.NewGuid():N}.webp";
        await inputs.GetBlobClient(name).UploadAsync(BinaryData.FromBytes("RIFF\u0010\u0000\u0000\u0000WEBPVP8 "u8.ToArray()));
        string message = $$$"""{"items": [{"prompt": "a queued square", "image": {"blob": "{{{name}}}"}, "strength": 0.3}]}""";
        string jobId = JobIds.FromContent("queue", message);

        await service.Create<Queues.JobQueueTrigger>().HandleAsync(message, dequeueCount: 1, service.Client, CancellationToken.None);

        var rejection = await service.Get<Storage.RejectionStore>().FindAsync(JobSource.Queue, jobId, CancellationToken.None);
        Assert.NotNull(rejection);
        Assert.StartsWith("items[0].image: ", Assert.Single(rejection.Reasons), StringComparison.Ordinal);
        Assert.Null(await service.Client.GetInstanceAsync(jobId));
    }

    private static async Task<Microsoft.AspNetCore.Http.HttpResponse> PostAsync(FluxTestService service, string body)
    {
        var api = service.Create<GenerationsApi>();
        var post = HttpCalls.Request("POST", "/api/generations", body);
        return await HttpCalls.ExecuteAsync(post, await api.StartAsync(post, service.Client, CancellationToken.None));
    }
}
