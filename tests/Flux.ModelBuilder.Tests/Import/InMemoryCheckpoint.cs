using Flux.ModelBuilder.Import.Text;
using Flux.ModelBuilder.Onnx;

namespace Flux.ModelBuilder.Tests.Import;

/// <summary>
/// A small checkpoint held in memory for graph tests: every key gets seeded random fp32 values of its declared
/// shape. As the graph's parameter source it refuses unknown keys and shapes that differ from the checkpoint's,
/// hands each tensor out at most once and records which keys the graph used, so a test can assert that a graph
/// reads every tensor of the checkpoint. Tests read the same values (<see cref="this[string]"/>) for their references.
/// </summary>
internal sealed class InMemoryCheckpoint : IParameterCatalog
{
    private readonly Dictionary<string, (long[] Shape, float[] Values)> _tensors = new(StringComparer.Ordinal);
    private readonly HashSet<string> _used = new(StringComparer.Ordinal);

    /// <summary>Draws values for <paramref name="keys"/> in order from one generator seeded with <paramref name="seed"/>.</summary>
    public InMemoryCheckpoint(IEnumerable<KeyValuePair<string, long[]>> keys, int seed, Func<string, long[], ValueRange>? ranges = null)
    {
        var random = new Random(seed);
        ranges ??= ValueRange.ForKey;
        foreach (var (name, shape) in keys)
        {
            var range = ranges(name, shape);
            var values = new float[shape.Aggregate(1L, (product, dim) => product * dim)];
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = range.Center + (float)((random.NextDouble() * 2 - 1) * range.HalfWidth);
            }

            _tensors.Add(name, (shape, values));
        }
    }

    public IReadOnlyCollection<string> Keys => _tensors.Keys;

    public IReadOnlySet<string> Used => _used;

    public IEnumerable<string> Unused => _tensors.Keys.Where(k => !_used.Contains(k)).Order(StringComparer.Ordinal);

    public float[] this[string name] => _tensors.TryGetValue(name, out var tensor)
        ? tensor.Values
        : throw new KeyNotFoundException($"the test checkpoint has no tensor '{name}'");

    public bool Contains(string name) => _tensors.ContainsKey(name);

    public string Add(GraphBuilder g, string name, ParameterInit init, long[] shape) => g.Parameter(name, Take(name, shape), shape);

    public ITensorData Values(string name, ParameterInit init, long[] shape) => new FloatTensorData(Take(name, shape), shape);

    public string AddDerived(GraphBuilder g, string name, ITensorData data) => g.InlineParameter(name, data);

    private float[] Take(string name, long[] shape)
    {
        if (!_tensors.TryGetValue(name, out var tensor))
        {
            throw new KeyNotFoundException($"the graph asks for '{name}', which the test checkpoint does not hold");
        }

        if (!tensor.Shape.SequenceEqual(shape))
        {
            throw new InvalidOperationException($"the graph asks for '{name}' as [{string.Join(", ", shape)}], the checkpoint holds [{string.Join(", ", tensor.Shape)}]");
        }

        if (!_used.Add(name))
        {
            throw new InvalidOperationException($"the graph asks for '{name}' twice");
        }

        return tensor.Values;
    }
}

/// <summary>Values drawn uniformly from Center ± HalfWidth.</summary>
internal readonly record struct ValueRange(float Center, double HalfWidth)
{
    /// <summary>
    /// Ranges in the spirit of trained weights, wide enough that every tested mistake shows: norm weights near one,
    /// biases small, embeddings and T5's relative-attention bias of order one, and matrices at 2.5 / sqrt(fan_in)
    /// so activations reach the range where quick/tanh/erf GELU differ.
    /// </summary>
    public static ValueRange ForKey(string name, long[] shape)
    {
        if (name.Contains("norm", StringComparison.Ordinal) && name.EndsWith(".weight", StringComparison.Ordinal))
        {
            return new(1f, 0.3);
        }

        if (name.Contains("embed", StringComparison.Ordinal) || name.StartsWith("shared.", StringComparison.Ordinal) || name.Contains("relative_attention_bias", StringComparison.Ordinal))
        {
            return new(0f, 1.0);
        }

        return shape.Length == 2 ? new(0f, 2.5 / Math.Sqrt(shape[1])) : new(0f, 0.2);
    }
}
