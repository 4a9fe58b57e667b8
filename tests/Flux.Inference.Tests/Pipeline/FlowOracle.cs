namespace Flux.Inference.Tests.Pipeline;

/// <summary>
/// The test's own restatement, in double precision, of everything between the initial noise and the final
/// latent, written from the published sources and never from Flux.Core or the graph code:
/// <list type="bullet">
/// <item>the field: DESIGN.md section 6, v(x, t) = (x - sum_k w_k x0_k) / t with
/// w = softmax_k(log pi_k - |x - (1 - t) x0_k|^2 / (2 t^2)), log pi given per image;</item>
/// <item>the schedule: black-forest-labs/flux src/flux/sampling.py <c>get_schedule</c>, <c>get_lin_function</c>,
/// <c>time_shift</c>;</item>
/// <item>Euler: the loop of sampling.py <c>denoise</c>; Heun: crowsonkb/k-diffusion k_diffusion/sampling.py
/// <c>sample_heun</c> (s_churn = 0; Euler where sigma_next == 0); RK4: the classical tableau
/// (1/6, 1/3, 1/3, 1/6), with the same Euler step onto t = 0 (DESIGN.md section 3).</item>
/// </list>
/// </summary>
internal sealed class FlowOracle(float[] images, double[] logPrior)
{
    private readonly int _n = images.Length / logPrior.Length;

    /// <summary>get_schedule(num_steps, image_seq_len, base_shift=0.5, max_shift=1.15, shift).</summary>
    public static double[] GetSchedule(int numSteps, int imageSeqLen, bool shift, double baseShift = 0.5, double maxShift = 1.15)
    {
        // timesteps = torch.linspace(1, 0, num_steps + 1)
        var timesteps = Enumerable.Range(0, numSteps + 1).Select(i => 1.0 - (i / (double)numSteps)).ToArray();
        if (shift)
        {
            // mu = get_lin_function(y1=base_shift, y2=max_shift)(image_seq_len), with x1 = 256, x2 = 4096
            double m = (maxShift - baseShift) / (4096 - 256);
            double b = baseShift - (m * 256);
            double mu = (m * imageSeqLen) + b;
            timesteps = [.. timesteps.Select(t => TimeShift(mu, 1.0, t))];
        }

        return timesteps;
    }

    /// <summary>time_shift(mu, sigma, t) = e^mu / (e^mu + (1/t - 1)^sigma); at t = 0 the Python gives 0 (1/0 = inf in torch).</summary>
    public static double TimeShift(double mu, double sigma, double t) =>
        t == 0 ? 0 : Math.Exp(mu) / (Math.Exp(mu) + Math.Pow((1 / t) - 1, sigma));

    /// <summary>Runs <paramref name="sampler"/> from <paramref name="noise"/> and returns the state after every step.</summary>
    public List<double[]> Trajectory(float[] noise, double[] timesteps, string sampler)
    {
        var x = noise.Select(v => (double)v).ToArray();
        var states = new List<double[]>();
        for (int i = 0; i + 1 < timesteps.Length; i++)
        {
            double tCurr = timesteps[i], tPrev = timesteps[i + 1], dt = tPrev - tCurr;
            x = tPrev == 0 || sampler == "euler" ? Add(x, dt, Velocity(x, tCurr))
                : sampler == "heun" ? HeunStep(x, tCurr, tPrev, dt)
                : RungeKutta4Step(x, tCurr, dt);
            states.Add(x);
        }

        return states;
    }

    /// <summary>v(x, t) of DESIGN.md section 6 (log-sum-exp shifted softmax).</summary>
    public double[] Velocity(double[] x, double t)
    {
        var logits = new double[logPrior.Length];
        for (int k = 0; k < logPrior.Length; k++)
        {
            double squaredDistance = 0;
            for (int j = 0; j < _n; j++)
            {
                double d = x[j] - ((1 - t) * images[(k * _n) + j]);
                squaredDistance += d * d;
            }

            logits[k] = logPrior[k] - (squaredDistance / (2 * t * t));
        }

        double max = logits.Max();
        var w = logits.Select(l => Math.Exp(l - max)).ToArray();
        double total = w.Sum();
        var v = new double[_n];
        for (int j = 0; j < _n; j++)
        {
            double mean = 0;
            for (int k = 0; k < logPrior.Length; k++)
            {
                mean += w[k] / total * images[(k * _n) + j];
            }

            v[j] = (x[j] - mean) / t;
        }

        return v;
    }

    private double[] HeunStep(double[] x, double t, double tNext, double dt)
    {
        var d = Velocity(x, t);
        var x2 = Add(x, dt, d);                              // x_2 = x + d * dt
        var d2 = Velocity(x2, tNext);
        var dPrime = d.Zip(d2, (a, b) => (a + b) / 2).ToArray(); // d_prime = (d + d_2) / 2
        return Add(x, dt, dPrime);
    }

    private double[] RungeKutta4Step(double[] x, double t, double dt)
    {
        var k1 = Velocity(x, t);
        var k2 = Velocity(Add(x, dt / 2, k1), t + (dt / 2));
        var k3 = Velocity(Add(x, dt / 2, k2), t + (dt / 2));
        var k4 = Velocity(Add(x, dt, k3), t + dt);
        var slope = new double[x.Length];
        for (int j = 0; j < x.Length; j++)
        {
            slope[j] = (k1[j] / 6) + (k2[j] / 3) + (k3[j] / 3) + (k4[j] / 6);
        }

        return Add(x, dt, slope);
    }

    private static double[] Add(double[] x, double h, double[] v)
    {
        var result = new double[x.Length];
        for (int j = 0; j < x.Length; j++)
        {
            result[j] = x[j] + (h * v[j]);
        }

        return result;
    }
}
