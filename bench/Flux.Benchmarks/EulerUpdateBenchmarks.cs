using System.Numerics.Tensors;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using Flux.Core;

namespace Flux.Benchmarks;

/// <summary>
/// The Euler update x &lt;- x + h*v on a 1024x1024 image's packed latent (4096 x 64 floats) through
/// <see cref="Samplers.Euler"/>, next to a plain copy of the same bytes in the same run. The copy is
/// the baseline, so the Ratio column is time(Euler) / time(copy) and the fraction of copy bandwidth is
/// 1 / Ratio (target: at least 0.5). The step must allocate nothing.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(ShortRunConfig))]
public class EulerUpdateBenchmarks
{
    private static readonly ImageSize Size = ImageSize.Create(1024, 1024);   // L = 4096
    private float[] _x = [];
    private float[] _copy = [];
    private float[] _velocity = [];
    private SamplerWorkspace _workspace = null!;
    private readonly PrecomputedVelocity _model = new();

    [GlobalSetup]
    public void Setup()
    {
        _x = new float[Size.PackedLength];   // (1, 4096, 64)
        _copy = new float[Size.PackedLength];
        _velocity = new float[Size.PackedLength];
        PhiloxNoise.Fill(1, 0, _x);
        PhiloxNoise.Fill(2, 0, _velocity);
        _workspace = new SamplerWorkspace(_x.Length);
    }

    [Benchmark(Baseline = true, Description = "copy 1 MiB")]
    public void Copy() => _x.AsSpan().CopyTo(_copy);

    [Benchmark(Description = "Euler step 1 MiB")]
    public void EulerStep() => Samplers.Euler.Step(_model, _x, 0.75, 0.7499, isFinalStep: false, _workspace);

    /// <summary>
    /// The same update as one TensorPrimitives call over the whole 1 MiB span, for comparison: above
    /// 256 KiB it switches to non-temporal stores, which is why Flux.Core updates in blocks.
    /// </summary>
    [Benchmark(Description = "one-call TensorPrimitives 1 MiB")]
    public void UnblockedUpdate() => TensorPrimitives.MultiplyAdd(_velocity, -1e-4f, _x, _x);

    /// <summary>
    /// Writes a velocity into the workspace's buffer once, then leaves it: the benchmark measures the
    /// update, not a model. (The sampler always passes the same workspace buffer.)
    /// </summary>
    private sealed class PrecomputedVelocity : IVelocityModel
    {
        private bool _filled;

        public void Evaluate(ReadOnlySpan<float> x, float t, Span<float> velocity)
        {
            if (!_filled)
            {
                PhiloxNoise.Fill(2, 0, velocity);
                _filled = true;
            }
        }
    }

    private sealed class ShortRunConfig : ManualConfig
    {
        public ShortRunConfig() => AddJob(Job.ShortRun);
    }
}
