using Flux.Functions.Orchestrations;
using Flux.Functions.Rendering;
using Flux.Functions.Storage;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Flux.Functions.Jobs;

/// <summary>
/// Validates requests against the options and the model, and starts GenerateJob at most once per
/// job id: a second start of an existing id (a redelivered message, a retried POST) is a no-op.
/// </summary>
internal sealed class JobStarter(
    IOptions<FluxOptions> options, RendererHandle renderer, RejectionStore rejections, JobInputImages inputImages, ILogger<JobStarter> logger)
{
    /// <summary>
    /// Validates against the limits and the loaded model, then checks the input images (decoded with the configured
    /// limits) and stores the uploaded ones; nothing is stored unless the whole request is valid. Throws
    /// <see cref="Flux.Inference.FluxModelException"/> while the model cannot be opened.
    /// </summary>
    public async Task<JobValidation> ValidateAsync(JobRequest? request, string defaultJobId, CancellationToken cancellationToken)
    {
        var model = renderer.Renderer;
        var validation = new JobValidator(options.Value, model.Defaults, model.ModelId).Validate(request, defaultJobId);
        if (validation.Job is not { } job || validation.Inputs.Count == 0)
        {
            return validation;
        }

        var (prepared, errors) = await inputImages.PrepareAsync(job, validation.Inputs, cancellationToken).ConfigureAwait(false);
        return new JobValidation(prepared, errors);
    }

    /// <summary>Parses JSON text into a request, or returns the parse error under the field it concerns.</summary>
    public static (JobRequest? Request, IReadOnlyDictionary<string, string[]> Errors) Parse(string json)
        => RequestJson.Parse<JobRequest>(json, "job");

    /// <summary>
    /// For the queue and blob triggers: starts a valid request, or records an invalid one (unreadable:
    /// <paramref name="request"/> is null and <paramref name="readErrors"/> say why) with its reasons in
    /// flux-rejections, where it stays instead of being retried.
    /// </summary>
    public async Task StartOrRejectAsync(
        DurableTaskClient client, JobSource source, string jobId, string content, JobRequest? request, IReadOnlyList<string> readErrors,
        CancellationToken cancellationToken)
    {
        var validation = request is null ? null : await ValidateAsync(request, jobId, cancellationToken).ConfigureAwait(false);
        if (validation?.Job is { } job)
        {
            await StartAsync(client, job, source, cancellationToken).ConfigureAwait(false);
            return;
        }

        IReadOnlyList<string> reasons = validation?.Reasons ?? readErrors;
        string record = await rejections.RecordAsync(source, jobId, content, reasons, cancellationToken).ConfigureAwait(false);
        Log.JobRejected(logger, source, jobId, record, string.Join("; ", reasons));
    }

    /// <summary>Starts the job unless an instance with its id exists; returns whether this call started it.</summary>
    public async Task<bool> StartAsync(DurableTaskClient client, JobSpec job, JobSource source, CancellationToken cancellationToken)
    {
        if (await client.GetInstanceAsync(job.JobId, cancellationToken).ConfigureAwait(false) is not null)
        {
            Log.JobAlreadyStarted(logger, job.JobId, source);
            return false;
        }

        var input = new GenerateJobInput(job, RenderPolicy.From(options.Value), Notifications.WebhookPolicy.From(options.Value));
        try
        {
            await client.ScheduleNewOrchestrationInstanceAsync(
                GenerateJob.Name, input, new StartOrchestrationOptions(job.JobId), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            // A concurrent delivery of the same message may have started it between the check and here.
            if (await client.GetInstanceAsync(job.JobId, cancellationToken).ConfigureAwait(false) is not null)
            {
                Log.JobAlreadyStarted(logger, job.JobId, source);
                return false;
            }

            throw;
        }

        Log.JobScheduled(logger, job.JobId, source, job.Items.Count);
        return true;
    }
}
