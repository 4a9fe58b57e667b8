using Flux.Functions.Jobs;
using Flux.Functions.Orchestrations;
using Microsoft.DurableTask.Client;

namespace Flux.Functions.Http;

/// <summary>
/// What GET /api/generations/{id} returns: the job's runtime status and counts, the step each
/// rendering image has reached (read from its RenderImage instance), and links to finished images.
/// </summary>
public sealed record GenerationStatus(
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
        int total = progress?.Total ?? job.ReadInputAs<GenerateJobInput>()?.Job.Items.Count ?? 0;
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
            images.Add(new ImageLink(index, await imageLinks.ForAsync(links, job.InstanceId, index, cancellationToken).ConfigureAwait(false)));
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

public sealed record ImageLink(int Index, Uri Url);
