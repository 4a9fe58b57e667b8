using Flux.Functions.Storage;
using Flux.Inference;
using Flux.Inference.Imaging;
using Microsoft.Extensions.Options;

namespace Flux.Functions.Jobs;

/// <summary>Whether an input is the source image of img2img or the inpainting mask.</summary>
internal enum ImageRole
{
    Image,
    Mask,
}

/// <summary>One input of a validated job: item <paramref name="Index"/>'s image or mask, given under <paramref name="Field"/>.</summary>
/// <param name="Field">Where the request gave it ("items[2].image", or "defaults.mask" when the item takes the default).</param>
/// <param name="Width">The item's width: the image is resized to it, as the pipeline will.</param>
internal sealed record JobInputImage(int Index, ImageRole Role, string Field, ImageInput Source, int Width, int Height);

/// <summary>
/// The input images of a job, checked before it starts: each is read (decoded base64, or a blob of the inputs container
/// that must exist), decoded with <see cref="InputImage"/> / <see cref="InputImageMask"/> and the configured limits, and
/// only when every one passes are the uploads stored. A hostile file is a field error (400 over HTTP, a rejection
/// record for the queue and blob triggers): no work starts and nothing is written. The job's settings then name the
/// blobs, so no durable history carries image bytes.
/// </summary>
internal sealed class JobInputImages(InputImageStore store, IOptions<FluxOptions> options)
{
    /// <summary>What a settings' Image or Mask holds for an upload until it is stored: a prefix no blob name can start with.</summary>
    public const string UploadMark = "upload:";

    /// <summary>Why the shape of <paramref name="image"/> is wrong, or null: exactly one of base64 (within the byte limit) or blob (a strict name).</summary>
    public static string? ShapeProblem(ImageInput image, int maxBytes)
    {
        ArgumentNullException.ThrowIfNull(image);
        if ((image.Base64 is null) == (image.Blob is null))
        {
            return "give exactly one of base64 (the encoded PNG, JPEG or WebP file) or blob (a name in the inputs container); URLs are not fetched";
        }

        if (image.Blob is { } name)
        {
            return InputImageStore.IsValidName(name) ? null : $"blob name {InputText.Quote(name)} must be {PromptFile.NameDescription}";
        }

        // Checked on the text's length, before anything is decoded: 4 characters hold 3 bytes.
        long bytes = image.Base64!.Length / 4L * 3;
        if (bytes > maxBytes)
        {
            return $"base64 image of about {bytes} bytes exceeds the input image limit of {maxBytes} bytes (Flux:MaxInputImageBytes)";
        }

        return Convert.TryFromBase64String(image.Base64, new byte[image.Base64.Length / 4 * 3 + 3], out _)
            ? null
            : "base64 is not valid base64 (RFC 4648, with padding, no line breaks or data: prefix)";
    }

    /// <summary>
    /// Checks every input of <paramref name="job"/>; when all pass, stores the uploads and returns the job with the blob
    /// names in its settings. Otherwise returns the problems by field and writes nothing.
    /// </summary>
    public async Task<(JobSpec? Job, IReadOnlyDictionary<string, string[]> Errors)> PrepareAsync(
        JobSpec job, IReadOnlyList<JobInputImage> inputs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(inputs);
        if (inputs.Count == 0)
        {
            return (job, new Dictionary<string, string[]>());
        }

        var limits = options.Value.InputImageLimits;
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var bytesByField = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        var decoded = new HashSet<(string Field, int Width, int Height)>();
        foreach (var input in inputs)
        {
            if (errors.ContainsKey(input.Field))
            {
                continue;
            }

            if (!bytesByField.TryGetValue(input.Field, out var bytes))
            {
                (bytes, string? problem) = input.Source.Blob is { } name
                    ? await store.ReadAsync(name, limits.MaxBytes, cancellationToken).ConfigureAwait(false)
                    : (Convert.FromBase64String(input.Source.Base64!), null);
                if (bytes is null)
                {
                    errors[input.Field] = [problem!];
                    continue;
                }

                bytesByField[input.Field] = bytes;
            }

            // Decoded once per field and size: a default image shared by a thousand items of one size is decoded once.
            if (decoded.Add((input.Field, input.Width, input.Height)) && Check(input, bytes, limits) is { } refusal)
            {
                errors[refusal.Field.Length > 0 ? refusal.Field : input.Field] = [refusal.Reason];
            }
        }

        if (errors.Count > 0)
        {
            return (null, errors);
        }

        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var input in inputs.Where(i => i.Source.Base64 is not null))
        {
            if (!names.ContainsKey(input.Field))
            {
                names[input.Field] = await store.SaveUploadAsync(job.JobId, Role(input.Role), bytesByField[input.Field], cancellationToken).ConfigureAwait(false);
            }
        }

        var items = job.Items.Select(s => s with { Image = Resolve(s.Image, names), Mask = Resolve(s.Mask, names) }).ToList();
        return (job with { Items = items }, errors);
    }

    /// <summary>Reads and checks a stored input the way submission did (the Denoise activity reads it again: blobs can change).</summary>
    public async Task<InputImage?> LoadImageAsync(GenerationSettings spec, CancellationToken cancellationToken)
        => spec.Image is { } name
            ? InputImage.Decode(await ReadStoredAsync(name, "image", cancellationToken).ConfigureAwait(false), spec.Width, spec.Height, options.Value.InputImageLimits, "image")
            : null;

    public async Task<InputImageMask?> LoadMaskAsync(GenerationSettings spec, CancellationToken cancellationToken)
        => spec.Mask is { } name
            ? InputImageMask.Decode(await ReadStoredAsync(name, "mask", cancellationToken).ConfigureAwait(false), spec.Width, spec.Height, options.Value.InputImageLimits, "mask")
            : null;

    private async Task<byte[]> ReadStoredAsync(string name, string field, CancellationToken cancellationToken)
    {
        if (!InputImageStore.IsValidName(name))
        {
            throw new InputImageException(field, $"blob name {InputText.Quote(name)} must be {PromptFile.NameDescription}");
        }

        var (bytes, problem) = await store.ReadAsync(name, options.Value.MaxInputImageBytes, cancellationToken).ConfigureAwait(false);
        return bytes ?? throw new InputImageException(field, problem!);
    }

    private static InputImageException? Check(JobInputImage input, byte[] bytes, InputImageLimits limits)
    {
        try
        {
            if (input.Role == ImageRole.Mask)
            {
                InputImageMask.Decode(bytes, input.Width, input.Height, limits, input.Field);
            }
            else
            {
                InputImage.Decode(bytes, input.Width, input.Height, limits, input.Field);
            }

            return null;
        }
        catch (InputImageException e)
        {
            return e;
        }
    }

    private static string Role(ImageRole role) => role == ImageRole.Mask ? "mask" : "image";

    private static string? Resolve(string? reference, Dictionary<string, string> uploads)
        => reference is not null && reference.StartsWith(UploadMark, StringComparison.Ordinal) ? uploads[reference[UploadMark.Length..]] : reference;
}
