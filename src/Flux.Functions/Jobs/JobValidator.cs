using Flux.Functions.Notifications;
using Flux.Functions.Rendering;
using Flux.Inference;

namespace Flux.Functions.Jobs;

/// <summary>
/// Checks a <see cref="JobRequest"/> against the service limits and the model, and fills in every
/// default. Each problem is reported under the field's JSON path ("items[2].width") with the value
/// and the allowed range, so an RFC 7807 response can name every bad field at once. The image fields
/// are checked by the pipeline's own rules (<see cref="GenerationLimits"/>) with the service's maxima.
/// </summary>
/// <param name="modelId">The loaded model's id; a request naming any other model is refused.</param>
public sealed class JobValidator(FluxOptions limits, ModelDefaults model, string? modelId = null)
{
    /// <summary>The notify tag is copied into every CloudEvent of the job, so it stays small.</summary>
    public const int MaxTagLength = 256;

    private readonly GenerationLimits _image = limits.ImageLimits(model);

    /// <summary>Validates and normalizes; <paramref name="jobId"/> is used when the request names none.</summary>
    public JobValidation Validate(JobRequest? request, string jobId)
    {
        var errors = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        if (request is null)
        {
            Add(errors, "$", "the request body is empty; send {\"items\": [{\"prompt\": \"...\"}]}");
            return new JobValidation(null, Freeze(errors));
        }

        string id = request.JobId ?? jobId;
        if (!JobIds.IsValid(id))
        {
            Add(errors, "jobId", $"job id {InputText.Quote(id)} must be {JobIds.PatternDescription}");
        }
        else if (request.JobId is not null && JobIds.IsReservedForImages(id))
        {
            Add(errors, "jobId", $"job id {InputText.Quote(id)} ends in \"-<number>\", which names the images of other jobs; choose an id without that ending");
        }

        if (request.Model is { } requested && requested != modelId)
        {
            Add(errors, "model", $"model {InputText.Quote(requested)} is not served here; this service renders with {InputText.Quote(modelId)} (see GET /api/models)");
        }

        if (request.Notify?.Tag is { } tag)
        {
            if (tag.Length > MaxTagLength)
            {
                Add(errors, "notify.tag", $"tag of {tag.Length} characters exceeds the limit of {MaxTagLength}");
            }
            else if (InputText.ProblemIn(tag) is { } problem)
            {
                Add(errors, "notify.tag", $"tag {problem}");
            }
        }

        WebhookRequestRules.Check(request.Notify?.Webhook, limits, (field, message) => Add(errors, field, message));

        var items = request.Items;
        if (items is null || items.Count == 0)
        {
            Add(errors, "items", "at least one item with a prompt is required");
        }
        else if (items.Count > limits.MaxImagesPerJob)
        {
            Add(errors, "items", $"{items.Count} items exceed the limit of {limits.MaxImagesPerJob} images per job");
        }

        var defaults = request.Defaults ?? new JobItemRequest();
        CheckFields(errors, "defaults", defaults, requirePrompt: false);
        var specs = new List<GenerationSettings>(items?.Count ?? 0);
        for (int i = 0; items is not null && i < items.Count && i < limits.MaxImagesPerJob; i++)
        {
            var item = items[i] ?? new JobItemRequest();
            string path = $"items[{i}]";
            var merged = new JobItemRequest(
                item.Prompt ?? defaults.Prompt,
                item.Width ?? defaults.Width ?? model.Width,
                item.Height ?? defaults.Height ?? model.Height,
                item.Steps ?? defaults.Steps ?? model.Steps,
                item.Guidance ?? defaults.Guidance ?? model.Guidance,
                item.Seed ?? (defaults.Seed is { } baseSeed ? baseSeed + i : JobIds.DefaultSeed(id, i)),
                (item.Sampler ?? defaults.Sampler ?? model.Sampler).ToLowerInvariant());
            if (CheckFields(errors, path, merged, requirePrompt: true))
            {
                specs.Add(new GenerationSettings(
                    merged.Prompt!.Trim(), merged.Width!.Value, merged.Height!.Value, merged.Steps!.Value,
                    merged.Guidance!.Value, merged.Seed!.Value, merged.Sampler!, i));
            }
        }

        return errors.Count == 0
            ? new JobValidation(new JobSpec(id, specs, request.Notify ?? new NotifySpec()), Freeze(errors))
            : new JobValidation(null, Freeze(errors));
    }

    /// <summary>Checks the fields that are present; returns true when none is wrong.</summary>
    private bool CheckFields(Dictionary<string, List<string>> errors, string path, JobItemRequest item, bool requirePrompt)
    {
        int before = errors.Sum(e => e.Value.Count);
        if (item.Prompt is null || string.IsNullOrWhiteSpace(item.Prompt))
        {
            if (requirePrompt || item.Prompt is not null)
            {
                Add(errors, $"{path}.prompt", "a non-empty prompt is required");
            }
        }
        else if (item.Prompt.Trim().Length > limits.MaxPromptLength)
        {
            Add(errors, $"{path}.prompt", $"prompt of {item.Prompt.Trim().Length} characters exceeds the limit of {limits.MaxPromptLength}");
        }
        else if (InputText.ProblemIn(item.Prompt) is { } problem)
        {
            Add(errors, $"{path}.prompt", $"prompt {problem}");
        }

        AddIf(errors, $"{path}.width", item.Width is { } width ? _image.WidthProblem(width) : null);
        AddIf(errors, $"{path}.height", item.Height is { } height ? _image.HeightProblem(height) : null);
        AddIf(errors, $"{path}.steps", item.Steps is { } steps ? _image.StepsProblem(steps) : null);
        AddIf(errors, $"{path}.guidance", item.Guidance is { } guidance ? GenerationLimits.GuidanceProblem(guidance) : null);
        if (item.Seed is < 0)
        {
            Add(errors, $"{path}.seed", $"seed {item.Seed} is negative; seeds are 0..{long.MaxValue}");
        }

        AddIf(errors, $"{path}.sampler", item.Sampler is { } sampler ? GenerationLimits.SamplerProblem(sampler, InputText.Quote) : null);
        return errors.Sum(e => e.Value.Count) == before;
    }

    private static void AddIf(Dictionary<string, List<string>> errors, string field, string? problem)
    {
        if (problem is not null)
        {
            Add(errors, field, problem);
        }
    }

    private static void Add(Dictionary<string, List<string>> errors, string field, string message)
    {
        if (!errors.TryGetValue(field, out var list))
        {
            errors[field] = list = [];
        }

        list.Add(message);
    }

    private static Dictionary<string, string[]> Freeze(Dictionary<string, List<string>> errors)
        => errors.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal);
}

/// <summary>Either a valid job or the errors by field path.</summary>
public sealed record JobValidation(JobSpec? Job, IReadOnlyDictionary<string, string[]> Errors)
{
    public bool IsValid => Job is not null;

    /// <summary>All errors on one line each, for rejection records and logs.</summary>
    public IReadOnlyList<string> Reasons => ReasonsOf(Errors);

    /// <summary>"field: message" for every error.</summary>
    public static IReadOnlyList<string> ReasonsOf(IReadOnlyDictionary<string, string[]> errors)
        => [.. errors.SelectMany(e => e.Value.Select(m => $"{e.Key}: {m}"))];
}
