using Microsoft.ML.OnnxRuntime;

namespace Flux.Inference.Sessions;

/// <summary>
/// The one place where ONNX Runtime failures become <see cref="FluxModelException"/>s, classified by
/// where they happened (loading or running which file, with which tensors), never by message text.
/// </summary>
internal static class OrtFailures
{
    public static FluxModelException Load(OnnxRuntimeException ex, string modelFile) => new(
        $"model file {modelFile} is damaged or not a valid ONNX model (or its external data is missing): {ex.Message}",
        modelFile,
        null,
        ex);

    public static FluxModelException Run(OnnxRuntimeException ex, string modelFile, string tensorNames) => new(
        $"running {modelFile} with tensors [{tensorNames}] failed: {ex.Message}",
        modelFile,
        tensorNames,
        ex);
}
