using Flux.Functions.Jobs;
using Flux.Functions.Orchestrations;
using Flux.Functions.Storage;
using Flux.Functions.Rendering;
using Flux.Inference;
using Flux.Inference.Imaging;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Flux.Functions.Http;

/// <summary>
/// POST/GET/DELETE /api/generations: start a job (202 with status links), poll its progress, fetch
/// an image, cancel (rendering stops within a step; checkpoints are deleted). Function-level keys
/// guard every route.
/// </summary>
internal sealed class GenerationsApi(
    JobStarter starter, ImageStore images, ImageLinks imageLinks, CheckpointStore checkpoints, StartLimiter limiter, IOptions<FluxOptions> options,
    TimeProvider clock, RendererHandle renderer)
{
    public const string Start = "StartGeneration";
    public const string Status = "GetGeneration";
    public const string Image = "GetGenerationImage";
    public const string Preview = "GetGenerationPreview";
    public const string Cancel = "CancelGeneration";
    public const string CancelReason = "cancelled by request";

    [Function(Start)]
    public async Task<IActionResult> StartAsync(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "generations")] HttpRequest request,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!IsJson(request.ContentType))
        {
            return Problems.UnsupportedMediaType(
                $"Content-Type {InputText.Quote(request.ContentType)} is not JSON; send the job as application/json", request);
        }

        int limit = options.Value.MaxRequestBytes;
        if (await RequestBody.ReadAsync(request, limit, cancellationToken).ConfigureAwait(false) is not { } text)
        {
            return Problems.TooLarge($"the body exceeds the limit of {limit} bytes (Flux:MaxRequestBytes)", request);
        }

        var (body, parseErrors) = JobStarter.Parse(text);
        if (body is null)
        {
            return Problems.Invalid(parseErrors, request);
        }

        JobValidation validation;
        try
        {
            validation = await starter.ValidateAsync(body, NewJobId(), cancellationToken).ConfigureAwait(false);
        }
        catch (FluxModelException)
        {
            return Problems.ModelUnavailable(request);
        }

        if (validation.Job is not { } job)
        {
            return Problems.Invalid(validation.Errors, request);
        }

        // Only valid starts take a token: a refused request costs no work, a started job does.
        if (!limiter.TryAcquire(out var retryAfter))
        {
            return Problems.TooManyRequests($"more than {options.Value.StartsPerSecond} generations a second were started; retry after {retryAfter.TotalSeconds:0} s", retryAfter, request);
        }

        bool started = await starter.StartAsync(client, job, JobSource.Http, cancellationToken).ConfigureAwait(false);
        var links = GenerationLinks.For(request, job.JobId);
        return new AcceptedResult(links.Status, new GenerationAccepted(job.JobId, started, job.Items.Count, links));
    }

    [Function(Status)]
    public async Task<IActionResult> GetAsync(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "generations/{id}")] HttpRequest request,
        string id,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (job, problem) = await FindRouteJobAsync(client, id, request, cancellationToken).ConfigureAwait(false);
        if (job is null)
        {
            return problem!;
        }

        var view = await GenerationStatus.ReadAsync(client, job, GenerationLinks.For(request, id), imageLinks, cancellationToken).ConfigureAwait(false);
        return new OkObjectResult(view);
    }

    [Function(Image)]
    public async Task<IActionResult> GetImageAsync(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "generations/{id}/images/{n:int}")] HttpRequest request,
        string id,
        int n,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (spec, problem) = await FindRouteImageAsync(client, id, n, request, cancellationToken).ConfigureAwait(false);
        if (spec is null)
        {
            return problem!;
        }

        return await StoredImageAsync(
            id, n, spec, $"image {n} of generation \"{id}\" is not available (not rendered yet, failed, or out of range)", request, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// A live preview: while image n renders, a small JPEG of the sampler's x0 estimate at its latest checkpoint (the picture
    /// it is heading for, not the noisy state; <see cref="IImageRenderer.PreviewJpeg"/>); once it is done, the image itself; 404 before the first checkpoint, and for a failed or cancelled image.
    /// </summary>
    [Function(Preview)]
    public async Task<IActionResult> GetPreviewAsync(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "generations/{id}/images/{n:int}/preview")] HttpRequest request,
        string id,
        int n,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (spec, problem) = await FindRouteImageAsync(client, id, n, request, cancellationToken).ConfigureAwait(false);
        if (spec is null)
        {
            return problem!;
        }

        // The checkpoint first: it is deleted only after the image is stored, so one of the two is always found once rendering began.
        string? unreadable = null;
        if (await checkpoints.ReadAsync(id, n, cancellationToken).ConfigureAwait(false) is { } checkpoint)
        {
            try
            {
                if (renderer.Renderer.PreviewJpeg(spec, checkpoint) is { } jpeg)
                {
                    return new FileContentResult(jpeg, ImageFormat.Jpeg.ContentType());
                }
            }
            catch (FluxModelException)
            {
                return Problems.ModelUnavailable(request);
            }
            catch (Exception ex) when (ex is InvalidRenderInputException or Flux.Core.CheckpointException)
            {
                unreadable = ex.Message;   // a damaged checkpoint, or a newer build's: no preview; rendering reports it for the image
            }
        }

        string missing = unreadable is null
            ? $"image {n} of generation \"{id}\" has no preview yet (no checkpoint written; or it failed or was cancelled)"
            : $"image {n} of generation \"{id}\" has no preview: its latest checkpoint cannot be read ({unreadable})";
        return await StoredImageAsync(id, n, spec, missing, request, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The stored file of image n, streamed in its format, or 404 with <paramref name="missing"/> when it is not stored.</summary>
    private async Task<IActionResult> StoredImageAsync(
        string id, int n, GenerationSettings spec, string missing, HttpRequest request, CancellationToken cancellationToken)
    {
        var file = await images.OpenImageAsync(id, n, spec.OutputFormat, cancellationToken).ConfigureAwait(false);
        return file is null ? Problems.NotFound(missing, request) : new FileStreamResult(file, spec.OutputFormat.ContentType());
    }

    /// <summary>
    /// The settings of the image a route names (from its job's input), or the answer to give instead: 400 for a malformed
    /// id or a negative index, 404 for an unknown job or an index past its last image.
    /// </summary>
    private static async Task<(GenerationSettings? Spec, IActionResult? Problem)> FindRouteImageAsync(
        DurableTaskClient client, string id, int n, HttpRequest request, CancellationToken cancellationToken)
    {
        var negativeIndex = n < 0 ? Problems.Invalid(Field("n", $"image index {n} is negative; images are numbered from 0"), request) : null;
        var (job, problem) = await FindRouteJobAsync(client, id, request, cancellationToken, negativeIndex).ConfigureAwait(false);
        if (job is null)
        {
            return (null, problem);
        }

        return job.ReadInputAs<GenerateJobInput>()?.Job.Items is { } items && n < items.Count
            ? (items[n], null)
            : (null, Problems.NotFound($"generation \"{id}\" has no image {n}", request));
    }

    [Function(Cancel)]
    public async Task<IActionResult> CancelAsync(
        [HttpTrigger(AuthorizationLevel.Function, "delete", Route = "generations/{id}")] HttpRequest request,
        string id,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (job, problem) = await FindRouteJobAsync(client, id, request, cancellationToken).ConfigureAwait(false);
        if (job is null)
        {
            return problem!;
        }

        if (job.IsCompleted)
        {
            return Problems.Conflict($"generation \"{id}\" has already finished ({job.RuntimeStatus}) and cannot be cancelled", request);
        }

        // The marker first: running Denoise activities see it between steps, and any checkpoint written
        // after the clean-up below is removed by the activity that wrote it.
        await checkpoints.MarkCancelledAsync(id, cancellationToken).ConfigureAwait(false);
        await client.TerminateInstanceAsync(id, new TerminateInstanceOptions(CancelReason, Recursive: true), cancellationToken).ConfigureAwait(false);

        // Not every backend terminates sub-orchestrations recursively: stop the images in flight by name
        // (those the job listed before the request, and any it started while the request was on its way).
        var after = await client.GetInstanceAsync(id, getInputsAndOutputs: true, cancellationToken).ConfigureAwait(false);
        var running = (job.ReadCustomStatusAs<JobProgress>()?.Running ?? []).Union(after?.ReadCustomStatusAs<JobProgress>()?.Running ?? []);
        foreach (int index in running)
        {
            var image = await client.GetInstanceAsync(JobIds.ImageInstance(id, index), cancellationToken).ConfigureAwait(false);
            if (image is { IsCompleted: false })
            {
                await client.TerminateInstanceAsync(image.InstanceId, CancelReason, cancellationToken).ConfigureAwait(false);
            }
        }

        await checkpoints.DeleteJobAsync(id, cancellationToken).ConfigureAwait(false);
        var links = GenerationLinks.For(request, id);
        return new AcceptedResult(links.Status, new GenerationCancelled(id, links));
    }

    /// <summary>A 400 naming "id" when the route's id is not a job id (path traversal, encoded dots, ...).</summary>
    private static IActionResult? InvalidId(string id, HttpRequest request)
        => JobIds.IsValid(id) ? null : Problems.Invalid(Field("id", $"generation id {InputText.Quote(id)} must be {JobIds.PatternDescription}"), request);

    private static Dictionary<string, string[]> Field(string name, string message) => new(StringComparer.Ordinal) { [name] = [message] };

    /// <summary>application/json or any "+json" type; a request without a Content-Type is read as JSON.</summary>
    private static bool IsJson(string? contentType)
    {
        if (string.IsNullOrEmpty(contentType))
        {
            return true;
        }

        if (!MediaTypeHeaderValue.TryParse(contentType, out var media))
        {
            return false;
        }

        return media.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || media.Suffix.Equals("json", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>The GenerateJob instance with this id; image sub-orchestrations are not generations.</summary>
    /// <summary>
    /// The job a route names, or the answer to give instead: 400 naming "id" for a malformed id, then
    /// <paramref name="otherProblem"/> (another invalid route value), then 404 for an id no job has.
    /// </summary>
    private static async Task<(OrchestrationMetadata? Job, IActionResult? Problem)> FindRouteJobAsync(
        DurableTaskClient client, string id, HttpRequest request, CancellationToken cancellationToken, IActionResult? otherProblem = null)
    {
        if ((InvalidId(id, request) ?? otherProblem) is { } invalid)
        {
            return (null, invalid);
        }

        var instance = await client.GetInstanceAsync(id, getInputsAndOutputs: true, cancellationToken).ConfigureAwait(false);
        return instance is not null && instance.Name == GenerateJob.Name
            ? (instance, null)
            : (null, Problems.NotFound($"generation \"{id}\" does not exist", request));
    }

    /// <summary>A fresh id for a POST that names none: time-ordered, so listings sort by age.</summary>
    private string NewJobId() => $"gen-{Guid.CreateVersion7(clock.GetUtcNow()):N}";
}

internal sealed record GenerationAccepted(string Id, bool Started, int Total, GenerationLinks Links);

internal sealed record GenerationCancelled(string Id, GenerationLinks Links);
