using System.Security.Cryptography;
using Azure.Storage.Blobs;
using Flux.Functions.Jobs;
using Flux.Functions.Orchestrations;
using Flux.Functions.Storage;
using Microsoft.DurableTask.Client;
using SixLabors.ImageSharp;

namespace Flux.Functions.Tests.Hosting;

/// <summary>Starting jobs the way the triggers do, and reading back what they left in storage.</summary>
internal static class JobAssertions
{
    public static JobRequest Request(params string[] prompts)
        => new([.. prompts.Select(p => new JobItemRequest(Prompt: p))]);

    /// <summary>Validates and starts like POST /api/generations, then waits for the end.</summary>
    public static async Task<OrchestrationMetadata> RunJobAsync(FluxTestService service, JobRequest request, string jobId)
    {
        var starter = service.Get<JobStarter>();
        var validation = await starter.ValidateAsync(request, jobId, CancellationToken.None);
        Assert.True(validation.IsValid, string.Join("; ", validation.Reasons));
        Assert.True(await starter.StartAsync(service.Client, validation.Job!, JobSource.Http, CancellationToken.None));
        return await service.WaitAsync(jobId);
    }

    public static async Task<byte[]> DownloadAsync(BlobContainerClient container, string blobName)
        => (await container.GetBlobClient(blobName).DownloadContentAsync()).Value.Content.ToArray();

    public static async Task<BlobContainerClient> ContainerAsync(FluxTestService service, Func<FluxOptions, string> name)
        => await service.Get<StorageClients>().ContainerAsync(name(service.Get<Microsoft.Extensions.Options.IOptions<FluxOptions>>().Value));

    public static async Task<List<string>> ListAsync(BlobContainerClient container, string prefix)
    {
        var names = new List<string>();
        await foreach (var blob in container.GetBlobsAsync(Azure.Storage.Blobs.Models.BlobTraits.None, Azure.Storage.Blobs.Models.BlobStates.None, prefix, CancellationToken.None))
        {
            names.Add(blob.Name);
        }

        return names;
    }

    /// <summary>Every image of the manifest is a PNG of the requested size whose SHA-256 matches the manifest.</summary>
    public static async Task<JobManifest> AssertManifestMatchesImagesAsync(FluxTestService service, string jobId, int expectedImages)
    {
        var manifest = await service.Get<ImageStore>().ReadManifestAsync<JobManifest>(jobId, CancellationToken.None);
        Assert.NotNull(manifest);
        Assert.Equal(jobId, manifest.JobId);
        Assert.Equal(Enumerable.Range(0, expectedImages), manifest.Images.Select(i => i.Index));
        var images = await ContainerAsync(service, o => o.ImagesContainer);
        foreach (var entry in manifest.Images)
        {
            byte[] png = await DownloadAsync(images, entry.Blob);
            Assert.Equal(entry.Sha256, Convert.ToHexStringLower(SHA256.HashData(png)));
            var info = Image.Identify(png);
            Assert.Equal((entry.Width, entry.Height), (info.Width, info.Height));
        }

        return manifest;
    }
}
