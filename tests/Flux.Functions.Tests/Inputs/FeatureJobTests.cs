using System.Text.Json;
using Flux.Functions.Http;
using Flux.Functions.Jobs;
using Flux.Functions.Orchestrations;
using Flux.Functions.Storage;
using Flux.Functions.Tests.Hosting;
using Microsoft.DurableTask.Client;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Webp;

namespace Flux.Functions.Tests.Inputs;

/// <summary>
/// Issue 13's features end to end through the durable test host and the real pipeline: true CFG and prompt2 on the tiny
/// package, image-to-image and inpainting on the reference package (whose patch VAE keeps flat cells exactly), JPEG and
/// WebP output with the right extension, content type and links.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class FeatureJobTests(AzuriteFixture azurite, TinyModelFixture tiny, ReferenceModelFixture reference)
    : IClassFixture<TinyModelFixture>, IClassFixture<ReferenceModelFixture>
{
    private const int Side = 32;
    private const int Steps = 4;
    private const int ReferenceSide = 256;

    [Fact]
    public async Task JpegAndWebpJob_StoresJpgAndWebpBlobs_AndTheManifestStatusAndImageRouteSayTheirFormat()
    {
        await using var service = await FluxTestService.StartAsync(azurite, tiny.Renderer);
        string jobId = $"formats-{Guid.NewGuid():N}";
        var request = new JobRequest(
            [new JobItemRequest("a red circle", Format: "jpeg", Quality: 80), new JobItemRequest("a red circle", Format: "webp"), new JobItemRequest("a red circle")],
            Defaults: new JobItemRequest(Width: Side, Height: Side, Steps: Steps));
        request = request with { Items = [.. request.Items!.Select(i => i with { Seed = 3 })] };

        var job = await JobAssertions.RunJobAsync(service, request, jobId);

        Assert.Equal(OrchestrationRuntimeStatus.Completed, job.RuntimeStatus);
        var manifest = await JobAssertions.AssertManifestMatchesImagesAsync(service, jobId, 3);
        Assert.Equal([$"{jobId}/00000.jpg", $"{jobId}/00001.webp", $"{jobId}/00002.png"], manifest.Images.Select(i => i.Blob));
        Assert.Equal(["jpeg", "webp", "png"], manifest.Images.Select(i => i.Format));
        var images = await JobAssertions.ContainerAsync(service, o => o.ImagesContainer);
        byte[] jpeg = await JobAssertions.DownloadAsync(images, manifest.Images[0].Blob);
        Assert.IsType<JpegFormat>(Image.DetectFormat(jpeg));
        Assert.IsType<WebpFormat>(Image.DetectFormat(await JobAssertions.DownloadAsync(images, manifest.Images[1].Blob)));
        Assert.Equal("image/jpeg", (await images.GetBlobClient(manifest.Images[0].Blob).GetPropertiesAsync()).Value.ContentType);

        // The same image (seed and index) as PNG: the JPEG holds its pixels through a lossy codec. The tiny model's images
        // are noise-like, the hardest case for JPEG at 4:2:0: measured 22.8 dB at quality 80; another seed's image scores 16.2 dB.
        byte[] png = await RenderAsync(service, new JobItemRequest("a red circle", Width: Side, Height: Side, Steps: Steps, Seed: 3));
        double psnr = TestImages.Psnr(png, TestImages.Rgb(jpeg), Side);
        Assert.True(psnr > 20, $"JPEG PSNR {psnr:0.0} dB against the PNG");

        var api = service.Create<GenerationsApi>();
        var get = HttpCalls.Request("GET", $"/api/generations/{jobId}");
        var status = HttpCalls.Json(await HttpCalls.ExecuteAsync(get, await api.GetAsync(get, jobId, service.Client, CancellationToken.None)));
        Assert.Equal(["jpeg", "webp", "png"], status.GetProperty("images").EnumerateArray().Select(i => i.GetProperty("format").GetString()));
        Assert.Equal("image/jpeg", status.GetProperty("images")[0].GetProperty("contentType").GetString());
        var image = HttpCalls.Request("GET", $"/api/generations/{jobId}/images/0");
        var served = await HttpCalls.ExecuteAsync(image, await api.GetImageAsync(image, jobId, 0, service.Client, CancellationToken.None));
        Assert.Equal((200, "image/jpeg"), (served.StatusCode, served.ContentType));
        Assert.Equal(jpeg, HttpCalls.Bytes(served));

        // The CloudEvent of each image points at its blob, extension and content type included.
        var specs = job.ReadInputAs<GenerateJobInput>()!.Job.Items;
        var results = manifest.Images.Select(i => new ImageResult(specs[i.Index], i.Blob, i.Sha256, manifest.Model!)).ToList();
        var events = Events.FluxEvents.For(
            new PublishEventsInput(jobId, manifest.JobId, DateTime.UtcNow, 3, results, 0, null), n => new Uri($"https://storage.example/flux-images/{n}"), new Uri("https://storage.example/m"));
        var data = events[0].Data!.ToObjectFromJson<JsonElement>();
        Assert.Equal(($"https://storage.example/flux-images/{jobId}/00000.jpg", "image/jpeg"), (data.GetProperty("url").GetString(), data.GetProperty("contentType").GetString()));
    }

    [Fact]
    public async Task TrueCfgAndPrompt2_OnTheTinyModel_ScaleOneIsThePlainImage_ScaleThreeAndPrompt2Differ()
    {
        var renderer = new CountingRenderer(tiny.Renderer);
        await using var service = await FluxTestService.StartAsync(azurite, renderer);
        string prompt = $"a yellow moon {Guid.NewGuid():N}";   // the conditioning cache outlives a test
        var plain = new JobItemRequest(prompt, Width: Side, Height: Side, Steps: Steps, Seed: 20);
        var pixels = new List<byte[]>();
        foreach (var item in new[]
        {
            plain,
            plain with { NegativePrompt = "blurry", TrueCfgScale = 1f },
            plain with { NegativePrompt = "blurry", TrueCfgScale = 3f },
            plain with { Prompt2 = "a yellow moon over a dark sea" },
        })
        {
            pixels.Add(await RenderAsync(service, item));   // one image per job: the noise is that of (seed, index 0) in each
        }

        Assert.Equal(pixels[0], pixels[1]);        // true_cfg_scale 1: the plain run, pixel for pixel
        Assert.NotEqual(pixels[0], pixels[2]);     // scale 3 with a negative prompt changes the image
        Assert.NotEqual(pixels[0], pixels[3]);     // prompt2 reaches T5
        Assert.Equal(3, renderer.EncodeCalls[prompt]);   // plain (also serves scale 1), true CFG, prompt2: three conditionings
    }

    [Fact]
    public async Task ImageToImage_AndInpainting_OnTheReferencePackage_FromBase64Uploads()
    {
        await using var service = await FluxTestService.StartAsync(azurite, reference.Renderer);
        byte[] input = TestImages.FlatCellsRgb(ReferenceSide, ReferenceSide, seed: 9);
        static bool LeftHalf(int x, int y) => x < ReferenceSide / 2;
        string image = Convert.ToBase64String(TestImages.Png(input, ReferenceSide, ReferenceSide));
        string mask = Convert.ToBase64String(TestImages.Png(TestImages.MaskRgb(ReferenceSide, ReferenceSide, LeftHalf), ReferenceSide, ReferenceSide));
        string jobId = $"img2img-{Guid.NewGuid():N}";
        var api = service.Create<GenerationsApi>();
        var post = HttpCalls.Request("POST", "/api/generations", $$$"""
            {"jobId": "{{{jobId}}}",
             "defaults": {"prompt": "a red circle on a blue background", "steps": 8, "seed": 7, "image": {"base64": "{{{image}}}"}},
             "items": [{"strength": 0}, {"strength": 1, "mask": {"base64": "{{{mask}}}"}}, {}]}
            """);
        var accepted = await HttpCalls.ExecuteAsync(post, await api.StartAsync(post, service.Client, CancellationToken.None));
        Assert.Equal(202, accepted.StatusCode);

        var job = await service.WaitAsync(jobId, TimeSpan.FromMinutes(3));

        Assert.Empty(job.ReadOutputAs<JobResult>()!.Failures);
        var images = await JobAssertions.ContainerAsync(service, o => o.ImagesContainer);
        byte[] roundTrip = TestImages.Rgb(await JobAssertions.DownloadAsync(images, ImageStore.ImageName(jobId, 0)));
        byte[] inpainted = TestImages.Rgb(await JobAssertions.DownloadAsync(images, ImageStore.ImageName(jobId, 1)));
        byte[] textToImage = TestImages.Rgb(await JobAssertions.DownloadAsync(images, ImageStore.ImageName(jobId, 2)));

        double strengthZero = TestImages.Psnr(input, roundTrip, ReferenceSide);
        double kept = TestImages.Psnr(input, inpainted, ReferenceSide, (x, y) => !LeftHalf(x, y));
        double repainted = TestImages.Psnr(input, inpainted, ReferenceSide, LeftHalf);
        Assert.True(strengthZero >= 40, $"strength 0: PSNR {strengthZero:0.0} dB against the input");
        Assert.True(kept >= 40, $"inpainting: PSNR {kept:0.0} dB outside the mask");
        Assert.True(repainted < 30, $"inpainting: PSNR {repainted:0.0} dB inside the mask, which should be repainted");
        Assert.True(TestImages.Psnr(input, textToImage, ReferenceSide) < 30, "strength 1 without a mask is text-to-image");
    }

    [Fact]
    public async Task Preview_Is404BeforeTheFirstCheckpoint_ASmallJpegOfTheLatestOneWhileRendering_AndTheImageOnceDone()
    {
        var held = new HeldRenderer(tiny.Renderer);
        await using var service = await FluxTestService.StartAsync(azurite, held);
        var host = new FunctionsHttpHost(service.Services, service.Client);
        try
        {
            var started = await host.SendAsync(WithKey(HttpCalls.Request("POST", "/api/generations",
                $$$"""{"items": [{"prompt": "a previewed star", "width": {{{Side}}}, "height": {{{Side * 2}}}, "steps": 6}]}""")));
            string id = HttpCalls.Json(started).GetProperty("id").GetString()!;
            string preview = $"/api/generations/{id}/images/0/preview";

            await held.FirstCall.Task.WaitAsync(TimeSpan.FromSeconds(60));
            var before = await host.SendAsync(WithKey(HttpCalls.Request("GET", preview)));
            var keyless = await host.SendAsync(HttpCalls.Request("GET", preview));
            var outOfRange = await host.SendAsync(WithKey(HttpCalls.Request("GET", $"/api/generations/{id}/images/1/preview")));
            Assert.Equal((404, 401, 404), (before.StatusCode, keyless.StatusCode, outOfRange.StatusCode));

            held.ReleaseFirst();   // steps 0-4 (checkpoints at 2 and 4), then the next chunk waits
            await held.ResumedCall.Task.WaitAsync(TimeSpan.FromSeconds(60));
            var during = await host.SendAsync(WithKey(HttpCalls.Request("GET", preview)));
            Assert.Equal((200, "image/jpeg"), (during.StatusCode, during.ContentType));
            byte[] jpeg = HttpCalls.Bytes(during);
            var info = Image.Identify(jpeg);
            Assert.Equal((Side / 8, Side * 2 / 8), (info.Width, info.Height));
            var job = (await service.Client.GetInstanceAsync(id, getInputsAndOutputs: true))!.ReadInputAs<GenerateJobInput>()!.Job;
            byte[] checkpoint = (await service.Get<CheckpointStore>().ReadAsync(id, 0, CancellationToken.None))!;
            Assert.Equal(tiny.Renderer.PreviewJpeg(job.Items[0], checkpoint), jpeg);   // the latest checkpoint's, at step 4
            Assert.NotNull(Flux.Core.SamplerCheckpoint.ReadFrom(new MemoryStream(checkpoint)).PreviewRgb);   // its x0 estimate (PreviewTests)

            // A damaged checkpoint is no preview (404 saying why), not a server error; the real one is put back before resuming.
            var store = service.Get<CheckpointStore>();
            byte[] damaged = [.. checkpoint];
            damaged[^20] ^= 0x40;
            await store.WriteAsync(id, 0, damaged, CancellationToken.None);
            var unreadable = await host.SendAsync(WithKey(HttpCalls.Request("GET", preview)));
            byte[] newer = [.. checkpoint];
            System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(newer.AsSpan(8), 99);   // a newer build's format version
            await store.WriteAsync(id, 0, newer, CancellationToken.None);
            var fromNewerBuild = await host.SendAsync(WithKey(HttpCalls.Request("GET", preview)));
            await store.WriteAsync(id, 0, checkpoint, CancellationToken.None);
            Assert.Equal((404, 404), (unreadable.StatusCode, fromNewerBuild.StatusCode));
            Assert.Contains("latest checkpoint cannot be read", HttpCalls.Json(unreadable).GetProperty("detail").GetString(), StringComparison.Ordinal);
            Assert.Contains("written by a newer build", HttpCalls.Json(fromNewerBuild).GetProperty("detail").GetString(), StringComparison.Ordinal);

            held.ReleaseAll();
            await service.WaitAsync(id);
            var after = await host.SendAsync(WithKey(HttpCalls.Request("GET", preview)));
            Assert.Equal((200, "image/png"), (after.StatusCode, after.ContentType));
            var images = await JobAssertions.ContainerAsync(service, o => o.ImagesContainer);
            Assert.Equal(await JobAssertions.DownloadAsync(images, ImageStore.ImageName(id, 0)), HttpCalls.Bytes(after));
        }
        finally
        {
            held.ReleaseAll();
        }
    }

    /// <summary>Runs a job of one item (image index 0) and returns its pixels.</summary>
    private static async Task<byte[]> RenderAsync(FluxTestService service, JobItemRequest item)
    {
        string jobId = $"single-{Guid.NewGuid():N}";
        var job = await JobAssertions.RunJobAsync(service, new JobRequest([item]), jobId);
        Assert.Empty(job.ReadOutputAs<JobResult>()!.Failures);
        var images = await JobAssertions.ContainerAsync(service, o => o.ImagesContainer);
        var format = job.ReadInputAs<GenerateJobInput>()!.Job.Items[0].OutputFormat;
        return TestImages.Rgb(await JobAssertions.DownloadAsync(images, ImageStore.ImageName(jobId, 0, format)));
    }

    private static Microsoft.AspNetCore.Http.HttpRequest WithKey(Microsoft.AspNetCore.Http.HttpRequest request)
    {
        request.Headers["x-functions-key"] = FunctionsHttpHost.FunctionKey;
        return request;
    }

    /// <summary>Holds the first Denoise call (no checkpoint yet) and every resumed one until released; says when each kind arrives.</summary>
    private sealed class HeldRenderer(Rendering.IImageRenderer inner) : RendererDecorator(inner)
    {
        private readonly TaskCompletionSource _first = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _rest = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource FirstCall { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource ResumedCall { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void ReleaseFirst() => _first.TrySetResult();

        public void ReleaseAll()
        {
            _first.TrySetResult();
            _rest.TrySetResult();
        }

        public override async Task<Rendering.DenoiseChunk> DenoiseAsync(Rendering.DenoiseChunkRequest request, CancellationToken cancellationToken)
        {
            (request.Checkpoint is null ? FirstCall : ResumedCall).TrySetResult();
            await (request.Checkpoint is null ? _first : _rest).Task.WaitAsync(cancellationToken);
            return await base.DenoiseAsync(request, cancellationToken);
        }
    }
}
