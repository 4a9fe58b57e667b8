namespace Flux.Inference.Imaging;

/// <summary>
/// What an untrusted input image may cost, checked before any pixel is decoded: the encoded size, and
/// the pixel count the header declares (a decompression bomb is small in bytes and huge in pixels;
/// decoding allocates 4 bytes per declared pixel).
/// </summary>
/// <param name="MaxBytes">Largest encoded file accepted.</param>
/// <param name="MaxPixels">Largest width x height accepted, as declared by the header.</param>
public sealed record InputImageLimits(int MaxBytes = InputImageLimits.DefaultMaxBytes, long MaxPixels = InputImageLimits.DefaultMaxPixels)
{
    /// <summary>16 MiB: a 4096x4096 photo as a high-quality JPEG is well under it.</summary>
    public const int DefaultMaxBytes = 16 * 1024 * 1024;

    /// <summary>4096 x 4096: decoding it takes 64 MiB (RGBA), the most one image may hold while it is resized.</summary>
    public const long DefaultMaxPixels = 4096L * 4096;

    public static InputImageLimits Default { get; } = new();
}
