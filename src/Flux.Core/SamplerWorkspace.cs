using System.Globalization;

namespace Flux.Core;

/// <summary>
/// Stage buffers for the samplers, so that no step allocates. The first velocity buffer is allocated
/// here; the other stages on the first step of a sampler that needs them (Euler needs one buffer, Heun
/// three, RK4 five). After any step, <see cref="FirstVelocity"/> holds v(x, t_current) of that step.
/// </summary>
public sealed class SamplerWorkspace
{
    private readonly float[] _k1;
    private float[]? _k2;
    private float[]? _k3;
    private float[]? _k4;
    private float[]? _stage;
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
    }

    /// <summary>
    /// Uses <paramref name="firstVelocity"/> (its whole length, B * L * 64; any contents) as the first velocity
    /// buffer, so a caller that renders many images can reuse one warm array instead of a fresh one per image.
    /// </summary>
    public SamplerWorkspace(float[] firstVelocity)
    {
        ArgumentNullException.ThrowIfNull(firstVelocity);
        if (firstVelocity.Length == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(firstVelocity), "the first velocity buffer must not be empty");
        }

        Length = firstVelocity.Length;
        _k1 = firstVelocity;
    }

    /// <summary>The first velocity buffer, to hand back to whoever lent it once the workspace is done.</summary>
    public float[] FirstVelocityBuffer => _k1;

    /// <summary>Floats in the sampler state this workspace serves.</summary>
    public int Length { get; }

    /// <summary>v(x, t_current) from the latest step (every sampler evaluates it first).</summary>
    public ReadOnlySpan<float> FirstVelocity => _k1;

    internal Span<float> K1 => _k1;

    internal Span<float> K2 => _k2 ??= new float[Length];

    internal Span<float> K3 => _k3 ??= new float[Length];

    internal Span<float> K4 => _k4 ??= new float[Length];

    /// <summary>Scratch state x + a*k for intermediate stages.</summary>
    internal Span<float> Stage => _stage ??= new float[Length];

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
