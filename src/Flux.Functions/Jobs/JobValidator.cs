using Flux.Functions.Notifications;
using Flux.Functions.Rendering;
using Flux.Inference;
using Flux.Inference.Imaging;

namespace Flux.Functions.Jobs;

/// <summary>
/// Checks a <see cref="JobRequest"/> against the service limits and the model, and fills in every
/// default. Each problem is reported under the field's JSON path ("items[2].width") with the value
/// and the allowed range, so an RFC 7807 response can name every bad field at once. The image fields
/// are checked by the pipeline's own rules (<see cref="GenerationLimits"/>) with the service's maxima.
/// </summary>
/// <param name="modelId">The loaded model's id; a request naming any other model is refused.</param>
internal sealed class JobValidator(FluxOptions limits, ModelDefaults model, string? modelId = null)
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
        CheckFields(errors, "defaults", defaults);
        var defaultsSize = SizeOf(defaults);
        var specs = new List<GenerationSettings>(items?.Count ?? 0);
        var inputs = new List<JobInputImage>();
        for (int i = 0; items is not null && i < items.Count && i < limits.MaxImagesPerJob; i++)
        {
            var item = items[i] ?? new JobItemRequest();
            string path = $"items[{i}]";
            int before = Count(errors);
            CheckFields(errors, path, item);

            // An item's own size (preset or sides) replaces the defaults' size; one side given alone keeps the other's default.
            var (presetWidth, presetHeight) = SizeOf(item);
            int width = item.Width ?? presetWidth ?? defaults.Width ?? defaultsSize.Width ?? model.Width;
            int height = item.Height ?? presetHeight ?? defaults.Height ?? defaultsSize.Height ?? model.Height;
            string? image = Source(item.Image, $"{path}.image") ?? Source(defaults.Image, "defaults.image");
            string? mask = Source(item.Mask, $"{path}.mask") ?? Source(defaults.Mask, "defaults.mask");
            var settings = new GenerationSettings(
                item.Prompt?.Trim() ?? defaults.Prompt?.Trim()!,
                width,
                height,
                item.Steps ?? defaults.Steps ?? model.Steps,
                item.Guidance ?? defaults.Guidance ?? model.Guidance,
                item.Seed ?? (defaults.Seed is { } baseSeed ? baseSeed + i : JobIds.DefaultSeed(id, i)),
                (item.Sampler ?? defaults.Sampler ?? model.Sampler).ToLowerInvariant(),
                i)
            {
                NegativePrompt = item.NegativePrompt ?? defaults.NegativePrompt,
                TrueCfgScale = item.TrueCfgScale ?? defaults.TrueCfgScale ?? 1f,
                Prompt2 = item.Prompt2 ?? defaults.Prompt2,
                Image = image,
                Strength = item.Strength ?? defaults.Strength ?? 1f,
                Mask = mask,
                Format = (item.Format ?? defaults.Format ?? ImageFormat.Png.Name()).ToLowerInvariant(),
                Quality = item.Quality ?? defaults.Quality,
            };

            if (string.IsNullOrWhiteSpace(settings.Prompt))
            {
                AddOnce(errors, $"{path}.prompt", "a non-empty prompt is required");
            }

            // The pipeline's own rules, with this service's limits: every problem the renderer would raise, raised now,
            // under the item's path. Fields already reported by the checks above (which quote untrusted text) keep theirs.
            foreach (var problem in settings.Problems(_image))
            {
                AddOnce(errors, $"{path}.{problem.Field}", problem.Message);
            }

            if (Count(errors) == before)
            {
                specs.Add(settings);
                AddInput(inputs, i, ImageRole.Image, item.Image is not null ? $"{path}.image" : "defaults.image", item.Image ?? defaults.Image, settings);
                AddInput(inputs, i, ImageRole.Mask, item.Mask is not null ? $"{path}.mask" : "defaults.mask", item.Mask ?? defaults.Mask, settings);
            }
        }

        return errors.Count == 0
            ? new JobValidation(new JobSpec(id, specs, request.Notify ?? new NotifySpec()), Freeze(errors)) { Inputs = inputs }
            : new JobValidation(null, Freeze(errors));
    }

    /// <summary>Checks the fields an item or the defaults give, each on its own; returns true when none is wrong.</summary>
    private bool CheckFields(Dictionary<string, List<string>> errors, string path, JobItemRequest item)
    {
        int before = Count(errors);
        CheckText(errors, $"{path}.prompt", "prompt", item.Prompt, emptyAllowed: false);
        CheckText(errors, $"{path}.negativePrompt", "negativePrompt", item.NegativePrompt, emptyAllowed: true);
        CheckText(errors, $"{path}.prompt2", "prompt2", item.Prompt2, emptyAllowed: false);
        AddIf(errors, $"{path}.width", item.Width is { } width ? _image.WidthProblem(width) : null);
        AddIf(errors, $"{path}.height", item.Height is { } height ? _image.HeightProblem(height) : null);
        AddIf(errors, $"{path}.steps", item.Steps is { } steps ? _image.StepsProblem(steps) : null);
        AddIf(errors, $"{path}.guidance", item.Guidance is { } guidance ? GenerationLimits.GuidanceProblem(guidance) : null);
        if (item.Seed is < 0)
        {
            Add(errors, $"{path}.seed", $"seed {item.Seed} is negative; seeds are 0..{long.MaxValue}");
        }

        AddIf(errors, $"{path}.sampler", item.Sampler is { } sampler ? GenerationLimits.SamplerProblem(sampler, InputText.Quote) : null);

        // Ranges here; what a value needs besides (a negative prompt, an image) is checked on the merged item.
        AddIf(errors, $"{path}.trueCfgScale", item.TrueCfgScale is { } scale ? GenerationLimits.TrueCfgScaleProblem(scale, hasNegativePrompt: true) : null);
        AddIf(errors, $"{path}.strength", item.Strength is { } strength ? GenerationLimits.StrengthProblem(strength, hasImage: true) : null);
        CheckImage(errors, $"{path}.image", item.Image);
        CheckImage(errors, $"{path}.mask", item.Mask);
        ImageFormat format = ImageFormat.Jpeg;   // a quality alone is checked against a lossy format's range
        if (item.Format is { } name && !ImageFormats.TryParse(name, out format))
        {
            Add(errors, $"{path}.{ImageFormats.Field}", $"format {InputText.Quote(name)} is not one of {ImageFormats.AllowedNames}");
        }
        else
        {
            AddIf(errors, $"{path}.{ImageFormats.QualityField}", ImageFormats.QualityProblem(format, item.Quality));
        }

        if (item.Size is { } size)
        {
            if (SizePreset.Find(size) is not { } preset)
            {
                Add(errors, $"{path}.{SizePreset.Field}", $"size {InputText.Quote(size)} is not a size preset: it must be one of {SizePreset.AllowedNames}");
            }
            else if (item.Width is not null || item.Height is not null)
            {
                Add(errors, $"{path}.{SizePreset.Field}", $"size {InputText.Quote(size)} and width/height both give the size; give one of them");
            }
            else
            {
                AddIf(errors, $"{path}.{SizePreset.Field}", _image.WidthProblem(preset.Width) ?? _image.HeightProblem(preset.Height));
            }
        }

        return Count(errors) == before;
    }

    /// <summary>Prompt-like text: within the length limit, no control characters; <paramref name="emptyAllowed"/> for the negative prompt ("" is the empty prompt).</summary>
    private void CheckText(Dictionary<string, List<string>> errors, string field, string name, string? text, bool emptyAllowed)
    {
        if (text is null)
        {
            return;
        }

        if (!emptyAllowed && string.IsNullOrWhiteSpace(text))
        {
            Add(errors, field, $"a non-empty {name} is required");
        }
        else if (text.Trim().Length > limits.MaxPromptLength)
        {
            Add(errors, field, $"{name} of {text.Trim().Length} characters exceeds the limit of {limits.MaxPromptLength}");
        }
        else if (InputText.ProblemIn(text) is { } problem)
        {
            Add(errors, field, $"{name} {problem}");
        }
    }

    /// <summary>The shape of an image field: one of base64 (decodable, within the byte limit) or blob (a strict name).</summary>
    private void CheckImage(Dictionary<string, List<string>> errors, string field, ImageInput? image)
    {
        if (image is not null && JobInputImages.ShapeProblem(image, limits.MaxInputImageBytes) is { } problem)
        {
            Add(errors, field, problem);
        }
    }

    /// <summary>The preset's sides when the item names a valid one.</summary>
    private static (int? Width, int? Height) SizeOf(JobItemRequest item)
        => SizePreset.Find(item.Size) is { } preset ? (preset.Width, preset.Height) : (null, null);

    /// <summary>
    /// What GenerationSettings holds until the bytes are checked and stored (<see cref="JobInputImages"/>): the blob
    /// name, or a mark for an upload; either way non-null, so the rules that need an image see one.
    /// </summary>
    private static string? Source(ImageInput? image, string field)
        => image is null ? null : image.Blob ?? $"{JobInputImages.UploadMark}{field}";

    private static void AddInput(List<JobInputImage> inputs, int index, ImageRole role, string field, ImageInput? source, GenerationSettings settings)
    {
        if (source is not null)
        {
            inputs.Add(new JobInputImage(index, role, field, source, settings.Width, settings.Height));
        }
    }

    private static int Count(Dictionary<string, List<string>> errors) => errors.Sum(e => e.Value.Count);

    private static void AddOnce(Dictionary<string, List<string>> errors, string field, string message)
    {
        if (!errors.ContainsKey(field))
        {
            Add(errors, field, message);
        }
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
internal sealed record JobValidation(JobSpec? Job, IReadOnlyDictionary<string, string[]> Errors)
{
    public bool IsValid => Job is not null;

    /// <summary>The input images and masks of a valid job, to be checked and stored before it starts (<see cref="JobInputImages"/>).</summary>
    public IReadOnlyList<JobInputImage> Inputs { get; init; } = [];

    /// <summary>All errors on one line each, for rejection records and logs.</summary>
    public IReadOnlyList<string> Reasons => ReasonsOf(Errors);

    /// <summary>"field: message" for every error.</summary>
    public static IReadOnlyList<string> ReasonsOf(IReadOnlyDictionary<string, string[]> errors)
        => [.. errors.SelectMany(e => e.Value.Select(m => $"{e.Key}: {m}"))];
}
