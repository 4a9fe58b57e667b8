namespace Flux.ModelBuilder.Import.SafeTensors;

/// <summary>A checkpoint that cannot be imported as it is: the message is one line naming the file and, where known, the tensor.</summary>
public sealed class CheckpointException : Exception
{
    public CheckpointException()
    {
    }

    public CheckpointException(string message)
        : base(message)
    {
    }

    public CheckpointException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
