namespace Flux.Inference;

/// <summary>
/// A model package cannot be used: a file is missing or damaged, a session's inputs/outputs do not
/// match the FLUX contract, or ONNX Runtime failed while running it. The message names the model file
/// and, where there is one, the tensor.
/// </summary>
public sealed class FluxModelException : Exception
{
    public FluxModelException(string message, string? modelFile = null, string? tensorName = null, Exception? innerException = null)
        : base(message, innerException)
    {
        ModelFile = modelFile;
        TensorName = tensorName;
    }

    public FluxModelException() : base("the model package cannot be used") { }

    public FluxModelException(string message) : base(message) { }

    public FluxModelException(string message, Exception innerException) : base(message, innerException) { }

    /// <summary>The model file concerned, when there is one.</summary>
    public string? ModelFile { get; }

    /// <summary>The input or output tensor concerned, when there is one.</summary>
    public string? TensorName { get; }
}

/// <summary>A generation setting is outside what the model or the pipeline accepts.</summary>
public sealed class InvalidGenerationSettingsException : Exception
{
    public InvalidGenerationSettingsException(string field, string message) : base(message) => Field = field;

    public InvalidGenerationSettingsException() : base("invalid generation settings") => Field = string.Empty;

    public InvalidGenerationSettingsException(string message) : base(message) => Field = string.Empty;

    public InvalidGenerationSettingsException(string message, Exception innerException) : base(message, innerException) => Field = string.Empty;

    /// <summary>The setting at fault ("width", "steps", ...).</summary>
    public string Field { get; }
}
