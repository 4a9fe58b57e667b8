namespace Flux.Functions.Rendering;

/// <summary>
/// Input that no retry can fix (a bad size, an unknown sampler, a checkpoint of another shape).
/// Activity retry policies do not retry it, so the orchestration fails fast with this message.
/// </summary>
internal sealed class InvalidRenderInputException : Exception
{
    public InvalidRenderInputException()
    {
    }

    public InvalidRenderInputException(string message)
        : base(message)
    {
    }

    public InvalidRenderInputException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
