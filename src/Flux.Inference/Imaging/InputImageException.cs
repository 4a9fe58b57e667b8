namespace Flux.Inference.Imaging;

/// <summary>
/// An input image (img2img source or inpainting mask) was refused: wrong format, over a limit, damaged,
/// animated, or in a colour model we do not convert. <see cref="Field"/> names the request field
/// ("items[0].image") so the service can answer 400 with a problem detail keyed by it.
/// </summary>
public sealed class InputImageException : Exception
{
    public InputImageException(string field, string message) : base($"{field}: {message}") => (Field, Reason) = (field, message);

    public InputImageException() : base("invalid input image") => (Field, Reason) = (string.Empty, Message);

    public InputImageException(string message) : base(message) => (Field, Reason) = (string.Empty, message);

    public InputImageException(string message, Exception innerException) : base(message, innerException) => (Field, Reason) = (string.Empty, message);

    /// <summary>The request field at fault ("items[0].image", "items[0].mask").</summary>
    public string Field { get; }

    /// <summary>What was wrong, without the field name (the problem detail's message under <see cref="Field"/>).</summary>
    public string Reason { get; }
}
