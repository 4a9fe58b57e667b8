namespace Flux.Functions.Rendering;

/// <summary>
/// The job was cancelled (DELETE) while an activity of it ran. Not retried: the orchestration is
/// already terminated, and a retry would only render for nobody.
/// </summary>
internal sealed class JobCancelledException : Exception
{
    public JobCancelledException()
    {
    }

    public JobCancelledException(string message)
        : base(message)
    {
    }

    public JobCancelledException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
