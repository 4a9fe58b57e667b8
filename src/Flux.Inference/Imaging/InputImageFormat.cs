namespace Flux.Inference.Imaging;

/// <summary>The encodings accepted for input images.</summary>
public enum InputImageFormat
{
    Png,
    Jpeg,
    WebP,
}
