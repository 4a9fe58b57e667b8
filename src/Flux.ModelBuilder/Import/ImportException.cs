namespace Flux.ModelBuilder.Import;

/// <summary>Input that cannot be imported as it is (a checkpoint, config or LoRA file): the message is one line naming the file and, where known, the tensor.</summary>
public sealed class ImportException : Exception
{
    public ImportException()
    {
    }

    public ImportException(string message)
        : base(message)
    {
    }

    public ImportException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
