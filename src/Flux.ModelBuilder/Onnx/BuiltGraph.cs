using Onnx;

namespace Flux.ModelBuilder.Onnx;

/// <summary>A finished model and the initializers whose bytes stream from their source when it is written.</summary>
internal sealed record BuiltGraph(ModelProto Model, IReadOnlyDictionary<string, ITensorData> Deferred)
{
    public static BuiltGraph From(GraphBuilder g, string docString) => new(OnnxFileWriter.ToModel(g, docString), g.Deferred);

    /// <summary>Writes <c>model.onnx</c> at <paramref name="path"/> with its weights in <c>model.onnx.data</c>.</summary>
    public void Write(string path) => OnnxFileWriter.Write(Model, Deferred, path);
}
