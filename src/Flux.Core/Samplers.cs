using System.Globalization;

namespace Flux.Core;

/// <summary>
/// The samplers: explicit Runge-Kutta steps of dx/dt = v(x, t) over a schedule. No noise is added.
/// Each step is a few TensorPrimitives calls (in cache-sized blocks, see <see cref="Blockwise"/>) over
/// preallocated buffers; nothing is allocated per step.
/// </summary>
public static class Samplers
{
    /// <summary>Euler: x &lt;- x + (t_next - t_cur) * v(x, t_cur). One evaluation per step (the FLUX default).</summary>
    public static ISampler Euler { get; } = new EulerSampler();

    /// <summary>Heun (explicit trapezoid), second order; two evaluations per step, the final step Euler.</summary>
    public static ISampler Heun { get; } = new HeunSampler();

    /// <summary>Classical fourth-order Runge-Kutta; four evaluations per step, the final step Euler.</summary>
    public static ISampler RungeKutta4 { get; } = new RungeKutta4Sampler();

    /// <summary>Names accepted by <see cref="Parse"/>.</summary>
    public static IReadOnlyList<string> Names { get; } = ["euler", "heun", "rk4"];

    /// <summary>Returns the sampler named "euler", "heun" or "rk4" (case-insensitive).</summary>
    public static ISampler Parse(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return name.Trim().ToUpperInvariant() switch
        {
            "EULER" => Euler,
            "HEUN" => Heun,
            "RK4" => RungeKutta4,
            _ => throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"sampler '{name}' is not known; allowed: {string.Join(", ", Names)}"), nameof(name)),
        };
    }

    /// <summary>x &lt;- x + h * v(x, t_cur); the shared first stage of every sampler and the final step of all.</summary>
    private static void EulerStep(IVelocityModel model, Span<float> x, double tCurrent, double tNext, SamplerWorkspace workspace)
    {
        Span<float> k1 = workspace.K1;
        model.Evaluate(x, (float)tCurrent, k1);                        // (B, L, 64)
        Blockwise.MultiplyAdd(k1, (float)(tNext - tCurrent), x, x);    // x + h v
    }

    /// <summary>An explicit Runge-Kutta sampler whose step landing on t = 0 is an Euler step.</summary>
    private abstract class RungeKuttaSampler(string name, int evaluations) : ISampler
    {
        public string Name => name;

        public int EvaluationsPerStep(bool isFinalStep) => isFinalStep ? 1 : evaluations;

        public void Step(IVelocityModel model, Span<float> x, double tCurrent, double tNext, bool isFinalStep, SamplerWorkspace workspace)
        {
            ArgumentNullException.ThrowIfNull(model);
            ArgumentNullException.ThrowIfNull(workspace);
            workspace.EnsureFits(x.Length);
            if (isFinalStep)
            {
                EulerStep(model, x, tCurrent, tNext, workspace);   // the model is never evaluated at t = 0
                return;
            }

            FullStep(model, x, tCurrent, tNext, workspace);
        }

        protected abstract void FullStep(IVelocityModel model, Span<float> x, double tCurrent, double tNext, SamplerWorkspace workspace);
    }

    private sealed class EulerSampler() : RungeKuttaSampler("euler", 1)
    {
        protected override void FullStep(IVelocityModel model, Span<float> x, double tCurrent, double tNext, SamplerWorkspace workspace)
            => EulerStep(model, x, tCurrent, tNext, workspace);
    }

    private sealed class HeunSampler() : RungeKuttaSampler("heun", 2)
    {
        protected override void FullStep(IVelocityModel model, Span<float> x, double tCurrent, double tNext, SamplerWorkspace workspace)
        {
            float h = (float)(tNext - tCurrent);
            Span<float> k1 = workspace.K1, k2 = workspace.K2, predictor = workspace.Stage;
            model.Evaluate(x, (float)tCurrent, k1);                    // k1 = v(x, t)
            Blockwise.MultiplyAdd(k1, h, x, predictor);                // x + h k1
            model.Evaluate(predictor, (float)tNext, k2);               // k2 = v(x + h k1, t + h)
            Blockwise.HeunUpdate(x, h, k1, k2);                        // x + h/2 (k1 + k2)
        }
    }

    private sealed class RungeKutta4Sampler() : RungeKuttaSampler("rk4", 4)
    {
        protected override void FullStep(IVelocityModel model, Span<float> x, double tCurrent, double tNext, SamplerWorkspace workspace)
        {
            double hd = tNext - tCurrent;
            float h = (float)hd;
            float tMid = (float)(tCurrent + (hd / 2));
            Span<float> k1 = workspace.K1, k2 = workspace.K2, k3 = workspace.K3, k4 = workspace.K4, stage = workspace.Stage;
            model.Evaluate(x, (float)tCurrent, k1);                    // k1 = v(x, t)
            Blockwise.MultiplyAdd(k1, h / 2, x, stage);
            model.Evaluate(stage, tMid, k2);                           // k2 = v(x + h/2 k1, t + h/2)
            Blockwise.MultiplyAdd(k2, h / 2, x, stage);
            model.Evaluate(stage, tMid, k3);                           // k3 = v(x + h/2 k2, t + h/2)
            Blockwise.MultiplyAdd(k3, h, x, stage);
            model.Evaluate(stage, (float)tNext, k4);                   // k4 = v(x + h k3, t + h)
            Blockwise.RungeKutta4Update(x, h, k1, k2, k3, k4, stage);  // x + h/6 (k1 + 2k2 + 2k3 + k4)
        }
    }
}
