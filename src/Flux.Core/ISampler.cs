namespace Flux.Core;

/// <summary>One ODE step of a rectified-flow sampler, x(t_current) -> x(t_next), in place.</summary>
public interface ISampler
{
    /// <summary>Lower-case name as the CLI and settings spell it ("euler", "heun", "rk4").</summary>
    string Name { get; }

    /// <summary>Model evaluations of one step; the final step (landing on t = 0) is an Euler step.</summary>
    int EvaluationsPerStep(bool isFinalStep);

    /// <summary>
    /// Advances <paramref name="x"/> from <paramref name="tCurrent"/> to <paramref name="tNext"/>.
    /// When <paramref name="isFinalStep"/> is true the model is evaluated only at <paramref name="tCurrent"/>.
    /// </summary>
    void Step(IVelocityModel model, Span<float> x, double tCurrent, double tNext, bool isFinalStep, SamplerWorkspace workspace);
}
