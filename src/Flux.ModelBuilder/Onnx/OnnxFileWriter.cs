using Google.Protobuf;
using Onnx;

namespace Flux.ModelBuilder.Onnx;

/// <summary>Wraps a graph in a model and writes it, moving weights to external data when needed.</summary>
internal static class OnnxFileWriter
{
    /// <summary>Opset 17: LayerNormalization exists; Split/Unsqueeze/Reshape take their sizes as inputs.</summary>
    public const long OpsetVersion = 17;

    /// <summary>ONNX Runtime's contrib operators are all version 1 of the com.microsoft domain.</summary>
    public const long ContribOpsetVersion = 1;

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
        if (graph.UsesContribOps)
        {
            model.OpsetImport.Add(new OperatorSetIdProto { Domain = GraphBuilder.ContribDomain, Version = ContribOpsetVersion });
        }
        return model;
    }

    /// <summary>
    /// Writes <c>model.onnx</c> into <paramref name="path"/>; when the initializers exceed
    /// <paramref name="externalDataThreshold"/> bytes, they go to <c>model.onnx.data</c> next to it.
    /// </summary>
    public static void Write(ModelProto model, string path, long externalDataThreshold = DefaultExternalDataThreshold)
        => Write(model, new Dictionary<string, ITensorData>(), path, externalDataThreshold);

    /// <summary>
    /// Writes <c>model.onnx</c> with the <paramref name="deferred"/> initializers (<see cref="GraphBuilder.Deferred"/>)
    /// streamed, tensor by tensor and in graph order, into <c>model.onnx.data</c>; small ones are written inline.
    /// Inline initializers move to the external file too when all of them exceed <paramref name="externalDataThreshold"/>.
    /// </summary>
    public static void Write(ModelProto model, IReadOnlyDictionary<string, ITensorData> deferred, string path, long externalDataThreshold = DefaultExternalDataThreshold)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(deferred);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(externalDataThreshold);
        var initializers = model.Graph.Initializer;
        long total = initializers.Sum(t => deferred.TryGetValue(t.Name, out var d) ? d.ByteLength : t.RawData.Length);
        if (total > externalDataThreshold || deferred.Count > 0)
        {
            MoveToExternalData(initializers, deferred, path, moveInline: total > externalDataThreshold);
        }

        using var stream = File.Create(path);
        model.WriteTo(stream);
    }

    private static void MoveToExternalData(IEnumerable<TensorProto> initializers, IReadOnlyDictionary<string, ITensorData> deferred, string modelPath, bool moveInline)
    {
        var dataPath = modelPath + ExternalDataSuffix;
        var location = Path.GetFileName(dataPath);
        using var data = File.Create(dataPath);
        foreach (var tensor in initializers)
        {
            if (deferred.TryGetValue(tensor.Name, out var source))
            {
                if (source.ByteLength < ExternalTensorMinimumBytes)
                {
                    tensor.RawData = Materialize(tensor.Name, source);
                    continue;
                }

                AppendExternal(data, tensor, location, source.ByteLength, stream => WriteExactly(tensor.Name, source, stream));
            }
            else if (moveInline && tensor.RawData.Length >= ExternalTensorMinimumBytes)
            {
                var raw = tensor.RawData;
                tensor.RawData = ByteString.Empty;
                AppendExternal(data, tensor, location, raw.Length, raw.WriteTo);
            }
        }
    }

    private static void AppendExternal(FileStream data, TensorProto tensor, string location, long length, Action<Stream> write)
    {
        var padding = (ExternalAlignment - (data.Position % ExternalAlignment)) % ExternalAlignment;
        data.Write(new byte[padding]);
        var offset = data.Position;
        write(data);
        tensor.DataLocation = TensorProto.Types.DataLocation.External;
        tensor.ExternalData.Add(Entry("location", location));
        tensor.ExternalData.Add(Entry("offset", offset.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        tensor.ExternalData.Add(Entry("length", length.ToString(System.Globalization.CultureInfo.InvariantCulture)));
    }

    private static ByteString Materialize(string name, ITensorData source)
    {
        using var buffer = new MemoryStream(checked((int)source.ByteLength));
        WriteExactly(name, source, buffer);
        return ByteString.CopyFrom(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    /// <summary>Runs the source's writer and checks it wrote the byte count it declared.</summary>
    private static void WriteExactly(string name, ITensorData source, Stream destination)
    {
        long before = destination.Position;
        source.WriteTo(destination);
        long written = destination.Position - before;
        if (written != source.ByteLength)
        {
            throw new InvalidOperationException($"initializer '{name}' wrote {written} bytes, not the {source.ByteLength} its shape and type need");
        }
    }

    private static StringStringEntryProto Entry(string key, string value) => new() { Key = key, Value = value };
}
