using Flux.ModelBuilder.Onnx;

namespace Flux.ModelBuilder.Tests.Import.Vae;

/// <summary>
/// An in-memory checkpoint answering a graph's parameter requests, the way the importer's checkpoint
/// source does: the graph asks by BFL key and PyTorch shape, the file may hold the tensor under another
/// name (diffusers') and layout (Linear instead of 1x1 conv). Refuses unknown keys, wrong shapes and
/// repeated requests, and records which file keys were used.
/// </summary>
internal sealed class VaeTestParameters : IParameterSource
{
    private readonly Dictionary<string, (string FileKey, float[] Values, long[] Shape)> _byBflKey = new(StringComparer.Ordinal);
    private readonly HashSet<string> _used = new(StringComparer.Ordinal);

    /// <param name="file">The checkpoint: key -> values and shape as stored.</param>
    /// <param name="toBfl">How a stored key and shape read in BFL's layout (identity for ae.safetensors).</param>
    public VaeTestParameters(IReadOnlyDictionary<string, (float[] Values, long[] Shape)> file, Func<string, long[], (string Key, long[] Shape)> toBfl)
    {
        File = file;
        foreach (var (key, tensor) in file)
        {
            var (bflKey, bflShape) = toBfl(key, tensor.Shape);
            Assert.Equal(tensor.Values.Length, bflShape.Aggregate(1L, (a, b) => a * b));
            Assert.True(_byBflKey.TryAdd(bflKey, (key, tensor.Values, bflShape)), $"two file keys map onto '{bflKey}'");
        }
    }

    public IReadOnlyDictionary<string, (float[] Values, long[] Shape)> File { get; }

    /// <summary>The file keys the graph read.</summary>
    public IReadOnlySet<string> Used => _used;

    /// <summary>
    /// Seeded random values for every (key, shape): conv weights and biases Uniform(+-1/sqrt(fan_in)) (PyTorch's
    /// Conv2d init), GroupNorm scales 1 +- 0.2 and shifts +-0.2, so activations stay of order one through the blocks.
    /// </summary>
    public static Dictionary<string, (float[] Values, long[] Shape)> RandomCheckpoint(IEnumerable<(string Key, long[] Shape)> keys, int seed)
    {
        var random = new Random(seed);
        var file = new Dictionary<string, (float[], long[])>(StringComparer.Ordinal);
        foreach (var (key, shape) in keys)
        {
            var values = new float[shape.Aggregate(1L, (a, b) => a * b)];
            bool norm = key.Contains("norm", StringComparison.Ordinal);
            double bound = norm ? 0.2 : 1.0 / Math.Sqrt(FanIn(key, shape, keys));
            float offset = norm && key.EndsWith(".weight", StringComparison.Ordinal) ? 1f : 0f;
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = offset + (float)((random.NextDouble() * 2 - 1) * bound);
            }

            file.Add(key, (values, shape));
        }

        return file;
    }

    public string Add(GraphBuilder g, string name, ParameterInit init, long[] shape)
    {
        if (!_byBflKey.TryGetValue(name, out var tensor))
        {
            throw new KeyNotFoundException($"the test checkpoint has no tensor for BFL key '{name}'");
        }

        if (!tensor.Shape.SequenceEqual(shape))
        {
            throw new InvalidOperationException($"'{name}' is [{string.Join(", ", tensor.Shape)}] in the checkpoint, the graph asks for [{string.Join(", ", shape)}]");
        }

        Assert.True(_used.Add(tensor.FileKey), $"'{name}' requested twice");
        return g.Parameter(name, tensor.Values, shape);
    }

    public ITensorData Values(string name, ParameterInit init, long[] shape) => throw new NotSupportedException("the AutoEncoder quantizes nothing");

    public string AddDerived(GraphBuilder g, string name, ITensorData data) => throw new NotSupportedException("the AutoEncoder quantizes nothing");

    private static long FanIn(string key, long[] shape, IEnumerable<(string Key, long[] Shape)> keys)
    {
        if (shape.Length > 1)
        {
            return shape[1..].Aggregate(1L, (a, b) => a * b);
        }

        var weight = key[..^".bias".Length] + ".weight";
        var weightShape = keys.First(k => k.Key == weight).Shape;
        return weightShape[1..].Aggregate(1L, (a, b) => a * b);
    }
}
