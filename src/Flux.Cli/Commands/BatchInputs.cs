using System.IO.Hashing;
using Flux.Inference;
using Flux.Inference.Imaging;

namespace Flux.Cli.Commands;

/// <summary>
/// The input image and mask files of one batch of `flux generate`, decoded with the library's checked decoders (byte and
/// pixel limits from the header, PNG/JPEG/WebP only) at the batch's size, with a hash of each file so --resume can tell
/// when a file changed. A file that cannot be used is a usage error naming the option (or the prompt list item's field).
/// </summary>
internal sealed record BatchInputs(InputImage? Image, InputImageMask? Mask, string? ImageHash, string? MaskHash)
{
    public static BatchInputs None { get; } = new(null, null, null, null);

    /// <param name="where">"" for the command line's options, "prompt 2: " for an item of a prompt list.</param>
    public static BatchInputs Decode(GenerationSettings settings, string where, InputImageLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        limits ??= InputImageLimits.Default;
        if (settings.Image is null)
        {
            return None;
        }

        string imageField = where.Length == 0 ? "--image" : where + "image";
        string maskField = where.Length == 0 ? "--mask" : where + "mask";
        byte[] imageBytes = Read(settings.Image, imageField, limits);
        byte[]? maskBytes = settings.Mask is null ? null : Read(settings.Mask, maskField, limits);
        try
        {
            return new BatchInputs(
                InputImage.Decode(imageBytes, settings.Width, settings.Height, limits, imageField),
                maskBytes is null ? null : InputImageMask.Decode(maskBytes, settings.Width, settings.Height, limits, maskField),
                Hash(imageBytes),
                maskBytes is null ? null : Hash(maskBytes));
        }
        catch (InputImageException e)
        {
            throw new CliUsageException($"{e.Message} (file '{(e.Field == maskField ? settings.Mask : settings.Image)}')", e);
        }
    }

    /// <summary>The file's bytes, refused by its length before it is read when it is over the limit.</summary>
    private static byte[] Read(string path, string field, InputImageLimits limits)
    {
        var file = new FileInfo(path);
        if (!file.Exists)
        {
            throw new CliUsageException($"{field} '{path}' does not exist (allowed: a PNG, JPEG or WebP file)");
        }

        if (file.Length > limits.MaxBytes)
        {
            throw new CliUsageException($"{field} '{path}' is {file.Length} bytes, over the limit of {limits.MaxBytes} bytes");
        }

        return File.ReadAllBytes(path);
    }

    private static string Hash(byte[] bytes) => Convert.ToHexStringLower(XxHash64.Hash(bytes));
}
