namespace Flux.Core;

/// <summary>
/// A rectified-flow velocity field v(x, t). <paramref name="x"/> and <paramref name="velocity"/> hold the
/// whole batch in packed layout (B, L, 64), flattened; t is in [0, 1] (1 = noise, 0 = data).
/// </summary>
public interface IVelocityModel
{
    /// <summary>Writes v(x, t) into <paramref name="velocity"/> (same length as <paramref name="x"/>).</summary>
    void Evaluate(ReadOnlySpan<float> x, float t, Span<float> velocity);
}
