using Flux.ModelBuilder.Import.SafeTensors;
using Flux.ModelBuilder.Import.Text;
using Flux.ModelBuilder.Onnx;

namespace Flux.ModelBuilder.Import;

/// <summary>
/// Answers a graph's parameters from a checkpoint: the graph's name goes through <see cref="KeyMap"/> to checkpoint
/// slices, whose combined shape must equal what the graph (built from the config) asks for. Records which checkpoint
/// tensors were used, so an import that leaves tensors behind (a config that disagrees with the checkpoint) fails.
/// </summary>
internal sealed class CheckpointParameters : IParameterCatalog
{
    private readonly SafeTensorsCheckpoint _checkpoint;
    private readonly KeyMap _map;
    private readonly string _configSource;
    private readonly Func<string, long[], IReadOnlyList<LowRankUpdate>> _updates;
    private readonly HashSet<string> _used = new(StringComparer.Ordinal);

    public CheckpointParameters(
        SafeTensorsCheckpoint checkpoint,
        KeyMap map,
        WeightPrecision precision,
        string configSource,
        Func<string, long[], IReadOnlyList<LowRankUpdate>>? updates = null)
    {
        _checkpoint = checkpoint;
        _map = map;
        Precision = precision;
        _configSource = configSource;
        _updates = updates ?? ((_, _) => []);
    }

    public WeightPrecision Precision { get; }

    /// <summary>True when every checkpoint tensor <paramref name="name"/> maps to exists (graphs that accept alternative names ask first).</summary>
    public bool Contains(string name) => _map(name).All(slice => _checkpoint.Tensors.ContainsKey(slice.Key));

    /// <summary>Bytes the graph's initializers from this checkpoint will write.</summary>
    public long PlannedBytes { get; private set; }

    /// <summary>Called with each block of bytes written, for progress bars (set before the graph is written).</summary>
    public Action<long>? Progress { get; set; }

    public string Add(GraphBuilder g, string name, ParameterInit init, long[] shape)
    {
        ArgumentNullException.ThrowIfNull(g);
        var parts = Resolve(name, shape);
        var data = new StreamedTensor(name, parts, shape, Precision, _updates(name, shape)) { Progress = bytes => Progress?.Invoke(bytes) };
        PlannedBytes += data.ByteLength;
        var value = g.Parameter(name, data);
        return Precision == WeightPrecision.Fp32
            ? value
            : g.Op("Cast", [value], Attr.Int("to", (long)global::Onnx.TensorProto.Types.DataType.Float)); // compute stays fp32
    }

    /// <summary>The fp32 tensor with its LoRA updates merged (before any quantization), marked used; not added to a graph.</summary>
    public ITensorData Values(string name, ParameterInit init, long[] shape) =>
        new StreamedTensor(name, Resolve(name, shape), shape, WeightPrecision.Fp32, _updates(name, shape));

    /// <summary>A derived initializer (int4 blocks) streamed into the external data like the others, counted for progress.</summary>
    public string AddDerived(GraphBuilder g, string name, ITensorData data)
    {
        ArgumentNullException.ThrowIfNull(g);
        PlannedBytes += data.ByteLength;
        return g.Parameter(name, new ReportingTensorData(data, bytes => Progress?.Invoke(bytes)));
    }

    /// <summary>
    /// Throws naming every checkpoint tensor no graph parameter used, except <paramref name="knownUnused"/>
    /// (name -> why it is safe to leave).
    /// </summary>
    public void EnsureAllUsed(IReadOnlyDictionary<string, string>? knownUnused = null)
    {
        var unused = _checkpoint.Tensors.Keys.Where(k => !_used.Contains(k) && !(knownUnused?.ContainsKey(k) ?? false)).ToList();
        if (unused.Count > 0)
        {
            var shown = string.Join(", ", unused.Take(5).Select(k => $"'{k}'"));
            throw new ImportException(
                $"{_checkpoint.Source}: {unused.Count} tensor(s) are not used by the graph built from {_configSource} ({shown}{(unused.Count > 5 ? ", ..." : "")}); the config disagrees with the checkpoint");
        }
    }

    private List<TensorRows> Resolve(string name, long[] shape)
    {
        var parts = new List<TensorRows>();
        long rows = 0;
        long[]? trailing = null;
        var slices = _map(name);
        foreach (var slice in slices)
        {
            if (!_checkpoint.Tensors.TryGetValue(slice.Key, out var tensor))
            {
                throw new ImportException(
                    $"{_checkpoint.Source}: tensor '{slice.Key}' (graph parameter '{name}', shape [{string.Join(", ", shape)}] from {_configSource}) is missing");
            }

            var info = tensor.Info;
            if (!ElementConversion.IsReadable(info.DType))
            {
                throw new ImportException($"{info.Name} in {tensor.File.Path} is {info.DType}; the importer reads F32, F16 and BF16 weights");
            }

            var tensorRows = info.Shape.Length == 0 ? 1 : info.Shape[0];
            var count = slice.RowCount == KeySlice.AllRows ? tensorRows - slice.FirstRow : slice.RowCount;
            if (slice.FirstRow < 0 || count < 0 || slice.FirstRow + count > tensorRows)
            {
                throw ShapeMismatch(name, shape, info, $"rows [{slice.FirstRow}, {slice.FirstRow + count}) of it");
            }

            var rest = info.Shape.Skip(1).ToArray();
            if (trailing is not null && !trailing.SequenceEqual(rest))
            {
                throw ShapeMismatch(name, shape, info, $"trailing dims [{string.Join(", ", trailing)}] like the other parts");
            }

            trailing = rest;
            _used.Add(info.Name);
            parts.Add(new TensorRows(tensor, slice.FirstRow, count));
            rows += count;
        }

        long[] combined = shape.Length == 0 && rows == 1 && trailing is { Length: 0 } ? [] : [rows, .. trailing ?? []];
        if (slices.Count == 1 && slices[0] is { ViewAs: { Count: > 0 } view } && view[0] == rows && view.Aggregate(1L, (p, d) => p * d) == parts[0].Tensor.Info.ElementCount)
        {
            combined = [.. view];
        }

        if (!combined.SequenceEqual(shape))
        {
            var sources = string.Join(" + ", parts.Select(p => $"'{p.Tensor.Name}' [{string.Join(", ", p.Tensor.Info.Shape)}]"));
            throw new ImportException(
                $"{_checkpoint.Source}: graph parameter '{name}' built from {_configSource} needs shape [{string.Join(", ", shape)}], but the checkpoint gives [{string.Join(", ", combined)}] ({sources}); the config disagrees with the checkpoint");
        }

        return parts;
    }

    private ImportException ShapeMismatch(string name, long[] shape, SafeTensorInfo info, string expected) =>
        new($"{_checkpoint.Source}: tensor '{info.Name}' [{string.Join(", ", info.Shape)}] cannot give graph parameter '{name}' [{string.Join(", ", shape)}] from {_configSource}: expected {expected}");
}
