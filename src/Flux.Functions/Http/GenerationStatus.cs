using Flux.Functions.Jobs;
using Flux.Functions.Orchestrations;
using Flux.Inference.Imaging;
using Microsoft.DurableTask.Client;

namespace Flux.Functions.Http;

/// <summary>
/// What GET /api/generations/{id} returns: the job's runtime status and counts, the step each
/// rendering image has reached (read from its RenderImage instance), and links to finished images.
/// </summary>
internal sealed record GenerationStatus(
    string Id,
    string Status,
    DateTimeOffset CreatedAt,
    DateTimeOffset LastUpdatedAt,
    int Total,
    int Completed,
    int Failed,
    IReadOnlyDictionary<int, ImageProgress> CurrentSteps,
    IReadOnlyList<ImageLink> Images,
    IReadOnlyList<ImageFailure> Failures,
    string? Manifest,
    string? Error)
{
    public static async Task<GenerationStatus> ReadAsync(
        DurableTaskClient client, OrchestrationMetadata job, GenerationLinks links, ImageLinks imageLinks, CancellationToken cancellationToken)
    {
        var progress = job.ReadCustomStatusAs<JobProgress>();
        var items = job.ReadInputAs<GenerateJobInput>()?.Job.Items ?? [];
        int total = progress?.Total ?? items.Count;
        var steps = new Dictionary<int, ImageProgress>();
        foreach (int index in progress?.Running ?? [])
        {
            var image = await client.GetInstanceAsync(JobIds.ImageInstance(job.InstanceId, index), getInputsAndOutputs: true, cancellationToken).ConfigureAwait(false);
            if (image?.ReadCustomStatusAs<ImageProgress>() is { } p)
            {
                steps[index] = p;
            }
        }

        var result = job.RuntimeStatus == OrchestrationRuntimeStatus.Completed ? job.ReadOutputAs<JobResult>() : null;
        var images = new List<ImageLink>();
        foreach (int index in result?.Images ?? [])
        {
            var format = index < items.Count ? items[index].OutputFormat : ImageFormat.Png;
            var url = await imageLinks.ForAsync(links, job.InstanceId, index, format, cancellationToken).ConfigureAwait(false);
            images.Add(new ImageLink(index, url, format.Name(), format.ContentType(), links.PreviewUri(index)));
        }

        return new GenerationStatus(
            job.InstanceId,
            job.RuntimeStatus.ToString(),
            job.CreatedAt,
            job.LastUpdatedAt,
            total,
            result?.Images.Count ?? progress?.Completed ?? 0,
            result?.Failures.Count ?? progress?.Failed ?? 0,
            steps,
            images,
            result?.Failures ?? [],
            result?.Manifest,
            job.RuntimeStatus == OrchestrationRuntimeStatus.Terminated ? job.ReadOutputAs<string>() : job.FailureDetails?.ErrorMessage);
    }
}

/// <param name="Format">"png", "jpeg" or "webp": the file at <paramref name="Url"/> (its blob name has the matching extension).</param>
/// <param name="Preview">GET .../images/{n}/preview: a small JPEG of the x0 estimate at the latest checkpoint while rendering, the image once done.</param>
internal sealed record ImageLink(int Index, Uri Url, string Format, string ContentType, Uri Preview);
