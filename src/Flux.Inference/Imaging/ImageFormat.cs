namespace Flux.Inference.Imaging;

/// <summary>The file formats generated images are written in.</summary>
public enum ImageFormat
{
    /// <summary>Lossless; parameters in tEXt/iTXt chunks (our own encoder, <see cref="PngEncoding"/>).</summary>
    Png,

    /// <summary>Lossy, baseline 4:2:0; parameters in EXIF and XMP user comments (ImageSharp).</summary>
    Jpeg,

    /// <summary>Lossy VP8; parameters in EXIF and XMP user comments (ImageSharp).</summary>
    Webp,
}

/// <summary>Names, file extensions and quality range of <see cref="ImageFormat"/>, shared by every entry point.</summary>
public static class ImageFormats
{
    /// <summary>The request field and CLI option name of the format.</summary>
    public const string Field = "format";
    public const string QualityField = "quality";
    public const int MinQuality = 1;
    public const int MaxQuality = 100;

    /// <summary>JPEG and WebP quality when none is given: visually transparent on generated images at about a fifth of the PNG's size.</summary>
    public const int DefaultQuality = 90;

    public const string AllowedNames = "png, jpeg, webp";

    /// <summary>"png", "jpeg" (or "jpg"), "webp", any case.</summary>
    public static bool TryParse(string? name, out ImageFormat format)
    {
        (bool known, format) = name?.ToLowerInvariant() switch
        {
            "png" => (true, ImageFormat.Png),
            "jpeg" or "jpg" => (true, ImageFormat.Jpeg),
            "webp" => (true, ImageFormat.Webp),
            _ => (false, ImageFormat.Png),
        };
        return known;
    }

    /// <summary>The format a file name's extension says (.png, .jpg/.jpeg, .webp), or null for any other extension.</summary>
    public static ImageFormat? FromExtension(string path) =>
        TryParse(Path.GetExtension(path).TrimStart('.'), out var format) ? format : null;

    /// <summary>The usual extension, with its dot: ".png", ".jpg", ".webp".</summary>
    public static string Extension(this ImageFormat format) => format switch
    {
        ImageFormat.Jpeg => ".jpg",
        ImageFormat.Webp => ".webp",
        _ => ".png",
    };

    /// <summary>The lowercase name: "png", "jpeg", "webp".</summary>
    public static string Name(this ImageFormat format) => format.ToString().ToLowerInvariant();

    /// <summary>The MIME type: "image/png", "image/jpeg", "image/webp".</summary>
    public static string ContentType(this ImageFormat format) => "image/" + format.Name();

    /// <summary>Null when <paramref name="quality"/> suits <paramref name="format"/>, else the problem ("quality 0 is out of range: ...").</summary>
    public static string? QualityProblem(ImageFormat format, int? quality) => quality switch
    {
        null => null,
        _ when format == ImageFormat.Png => $"quality applies to jpeg and webp only; png is lossless",
        < MinQuality or > MaxQuality => $"quality {quality} is out of range: it must be between {MinQuality} and {MaxQuality}",
        _ => null,
    };
}
