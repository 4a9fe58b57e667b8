namespace Flux.ModelBuilder.Onnx;

/// <summary>
/// How a built-in package draws a trained parameter at random; a checkpoint source ignores it.
/// <paramref name="Bound"/> is the half-width of the uniform range, <paramref name="Offset"/> is added after.
/// </summary>
internal readonly record struct ParameterInit(double Bound, float Offset)
{
    /// <summary>Uniform(-bound, bound); PyTorch's default Linear/Conv range is bound = 1/sqrt(fan_in).</summary>
    public static ParameterInit Uniform(double bound) => new(bound, 0f);

    /// <summary>Norm scales near one (BFL initialises them to exactly one; a spread makes them observable).</summary>
    public static ParameterInit NearOne(double spread = 0.1) => new(spread, 1f);
}
