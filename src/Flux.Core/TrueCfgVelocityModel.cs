using System.Numerics.Tensors;

namespace Flux.Core;

/// <summary>
/// True classifier-free guidance over a model that evaluates the positive and the negative conditioning
/// as ONE batch of 2B (rows [positive 0..B-1, negative 0..B-1]), as diffusers' FluxPipeline does with
/// <c>true_cfg_scale</c> (pipeline_flux.py, <c>FluxPipeline.__call__</c>):
/// <c>noise_pred = neg_noise_pred + true_cfg_scale * (noise_pred - neg_noise_pred)</c>, i.e.
/// v = v_neg + s·(v_pos − v_neg) at every evaluation, so it composes with every sampler.
/// Diffusers runs two transformer calls; one batched run costs less than two on every provider.
/// </summary>
public sealed class TrueCfgVelocityModel : IVelocityModel
{
    private readonly IVelocityModel _pair;
    private readonly float _scale;
    private readonly float[] _doubledX;          // (2B, L, 64): [x; x]
    private readonly float[] _doubledVelocity;   // (2B, L, 64): [v_pos; v_neg]

    /// <param name="pair">Evaluates (2B, L, 64) states: the first B rows under the positive conditioning, the last B under the negative.</param>
    /// <param name="scale">s, above 1 (at 1 guidance is the plain positive run, which needs no negative batch).</param>
    /// <param name="length">B·L·64, the length of the sampler's state.</param>
    public TrueCfgVelocityModel(IVelocityModel pair, float scale, int length)
    {
        ArgumentNullException.ThrowIfNull(pair);
        if (!float.IsFinite(scale) || scale <= 1f)
        {
            throw new ArgumentOutOfRangeException(nameof(scale), scale, "true CFG scale must be a finite number above 1");
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(length);
        _pair = pair;
        _scale = scale;
        _doubledX = GC.AllocateUninitializedArray<float>(2 * length);
        _doubledVelocity = GC.AllocateUninitializedArray<float>(2 * length);
    }

    public void Evaluate(ReadOnlySpan<float> x, float t, Span<float> velocity)
    {
        int n = _doubledX.Length / 2;
        if (x.Length != n || velocity.Length != n)
        {
            throw new ArgumentException($"true CFG was set up for states of {n} values, not {x.Length}");
        }

        x.CopyTo(_doubledX.AsSpan(0, n));
        x.CopyTo(_doubledX.AsSpan(n, n));
        _pair.Evaluate(_doubledX, t, _doubledVelocity);
        var positive = _doubledVelocity.AsSpan(0, n);
        var negative = _doubledVelocity.AsSpan(n, n);
        TensorPrimitives.Subtract(positive, negative, velocity);              // v_pos − v_neg
        TensorPrimitives.MultiplyAdd(velocity, _scale, negative, velocity);   // v_neg + s·(v_pos − v_neg)
    }
}
