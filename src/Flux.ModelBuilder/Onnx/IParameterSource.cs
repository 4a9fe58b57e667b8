namespace Flux.ModelBuilder.Onnx;

/// <summary>
/// Where a graph's trained parameters come from: seeded random values (the built-in packages) or a
/// checkpoint (<c>flux model import</c>). Graph code names each parameter by its PyTorch state-dict key
/// and shape and never sees which source answers.
/// </summary>
internal interface IParameterSource
{
    /// <summary>
    /// Adds the trained parameter <paramref name="name"/> with PyTorch layout <paramref name="shape"/> to
    /// <paramref name="g"/> and returns the graph value that holds it.
    /// </summary>
    string Add(GraphBuilder g, string name, ParameterInit init, long[] shape);

    /// <summary>
    /// The fp32 values of parameter <paramref name="name"/> (PyTorch layout <paramref name="shape"/>) without adding it
    /// to a graph, for graph code that stores a transformed form of it (int4 blocks); counts as using the parameter.
    /// </summary>
    ITensorData Values(string name, ParameterInit init, long[] shape);

    /// <summary>Adds an initializer computed from <see cref="Values"/> the way this source adds its own parameters.</summary>
    string AddDerived(GraphBuilder g, string name, ITensorData data);
}

/// <summary>Deterministic random parameters for the built-in packages (same seed and names, same bytes).</summary>
internal sealed class RandomParameters(WeightSource weights) : IParameterSource
{
    public WeightSource Weights { get; } = weights;

    public string Add(GraphBuilder g, string name, ParameterInit init, long[] shape) => g.Parameter(name, Draw(name, init, shape), shape);

    public ITensorData Values(string name, ParameterInit init, long[] shape) => new FloatTensorData(Draw(name, init, shape), shape);

    /// <summary>Inline, like every random parameter: the built-in graphs are written from memory.</summary>
    public string AddDerived(GraphBuilder g, string name, ITensorData data) => g.InlineParameter(name, data);

    private float[] Draw(string name, ParameterInit init, long[] shape)
    {
        long count = shape.Aggregate(1L, (product, dim) => product * dim);
        var values = Weights.Uniform(name, count, init.Bound);
        if (init.Offset != 0f)
        {
            for (long i = 0; i < count; i++)
            {
                values[i] += init.Offset;
            }
        }

        return values;
    }
}
