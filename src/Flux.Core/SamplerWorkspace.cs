using System.Globalization;

namespace Flux.Core;

/// <summary>
/// Stage buffers for the samplers, allocated once per run so that no step allocates.
/// After any step, <see cref="FirstVelocity"/> holds v(x, t_current) of that step.
/// </summary>
public sealed class SamplerWorkspace
{
    private readonly float[] _k1;
    private readonly float[] _k2;
    private readonly float[] _k3;
    private readonly float[] _k4;
    private readonly float[] _stage;
    private float[]? _previous;

    /// <summary>Allocates the buffers for a state of <paramref name="length"/> floats (B * L * 64).</summary>
    public SamplerWorkspace(int length)
    {
        if (length <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(length), string.Create(CultureInfo.InvariantCulture, $"workspace length {length} must be positive"));
        }

        Length = length;
        _k1 = new float[length];
        _k2 = new float[length];
        _k3 = new float[length];
        _k4 = new float[length];
        _stage = new float[length];
    }

    /// <summary>Floats in the sampler state this workspace serves.</summary>
    public int Length { get; }

    /// <summary>v(x, t_current) from the latest step (every sampler evaluates it first).</summary>
    public ReadOnlySpan<float> FirstVelocity => _k1;

    internal Span<float> K1 => _k1;

    internal Span<float> K2 => _k2;

    internal Span<float> K3 => _k3;

    internal Span<float> K4 => _k4;

    /// <summary>Scratch state x + a*k for intermediate stages.</summary>
    internal Span<float> Stage => _stage;

    /// <summary>A copy of the state before a step, allocated on first use (previews only).</summary>
    internal Span<float> Previous => _previous ??= new float[Length];

    internal void EnsureFits(int stateLength)
    {
        if (stateLength != Length)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"state length {stateLength} does not match the workspace length {Length}"), nameof(stateLength));
        }
    }
}
