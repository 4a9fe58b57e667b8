using Google.Protobuf;
using Onnx;

namespace Flux.ModelBuilder.Onnx;

/// <summary>Wraps a graph in a model and writes it, moving weights to external data when needed.</summary>
internal static class OnnxFileWriter
{
    /// <summary>Opset 17: LayerNormalization exists; Split/Unsqueeze/Reshape take their sizes as inputs.</summary>
    public const long OpsetVersion = 17;

    /// <summary>IR version 8 is what opset 17 models are written with.</summary>
    public const long IrVersion = 8;

    /// <summary>Protobuf messages cannot pass 2 GiB; stay well below it (the graph itself needs room too).</summary>
    public const long DefaultExternalDataThreshold = 1L << 30;

    /// <summary>Only tensors at least this large move to the external file; small ones stay inline.</summary>
    private const long ExternalTensorMinimumBytes = 1024;

    /// <summary>Offsets in the external file are aligned so the runtime can memory-map them.</summary>
    private const long ExternalAlignment = 4096;

    public const string ExternalDataSuffix = ".data";

    public static ModelProto ToModel(GraphBuilder graph, string docString)
    {
        var model = new ModelProto
        {
            IrVersion = IrVersion,
            ProducerName = "Flux.ModelBuilder",
            ProducerVersion = "1",
            DocString = docString,
            Graph = graph.Graph,
        };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = string.Empty, Version = OpsetVersion });
        return model;
    }

    /// <summary>
    /// Writes <c>model.onnx</c> into <paramref name="path"/>; when the initializers exceed
    /// <paramref name="externalDataThreshold"/> bytes, they go to <c>model.onnx.data</c> next to it.
    /// </summary>
    public static void Write(ModelProto model, string path, long externalDataThreshold = DefaultExternalDataThreshold)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(externalDataThreshold);
        var initializers = model.Graph.Initializer;
        long total = initializers.Sum(t => (long)t.RawData.Length);
        if (total > externalDataThreshold)
        {
            MoveToExternalData(initializers, path);
        }

        using var stream = File.Create(path);
        model.WriteTo(stream);
    }

    private static void MoveToExternalData(IEnumerable<TensorProto> initializers, string modelPath)
    {
        var dataPath = modelPath + ExternalDataSuffix;
        var location = Path.GetFileName(dataPath);
        using var data = File.Create(dataPath);
        foreach (var tensor in initializers.Where(t => t.RawData.Length >= ExternalTensorMinimumBytes))
        {
            var padding = (ExternalAlignment - (data.Position % ExternalAlignment)) % ExternalAlignment;
            data.Write(new byte[padding]);
            var offset = data.Position;
            var length = tensor.RawData.Length;
            tensor.RawData.WriteTo(data);
            tensor.RawData = ByteString.Empty;
            tensor.DataLocation = TensorProto.Types.DataLocation.External;
            tensor.ExternalData.Add(Entry("location", location));
            tensor.ExternalData.Add(Entry("offset", offset.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            tensor.ExternalData.Add(Entry("length", length.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }
    }

    private static StringStringEntryProto Entry(string key, string value) => new() { Key = key, Value = value };
}
