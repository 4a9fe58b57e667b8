using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using Flux.ModelBuilder.Onnx.Int4;

namespace Flux.Benchmarks;

/// <summary>
/// int4 block quantization of 256 rows of K = 3072 (a FLUX.1 linear's input width; 3 MiB of fp32 weights, normal with
/// sigma 0.02) through the vectorized quantizer at four and eight lanes (QuantizeRow picks eight where Vector256 is
/// accelerated) against the scalar loop it replaced, which is the baseline: Ratio = time(vectorized) / time(scalar).
/// All three write the same bytes (BlockQuantizerTests).
/// </summary>
[Config(typeof(ShortRunConfig))]
public class BlockQuantizerBenchmarks
{
    private const int K = 3072;
    private const int Rows = 256;
    private float[] _weights = [];
    private byte[] _packed = [];
    private float[] _scales = [];
    private byte[] _zeroPoints = [];
    private Int4Layout _layout;

    [Params(32, 64, 128)]
    public int BlockSize { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(5);
        _weights = Enumerable.Range(0, K * Rows)
            .Select(_ => (float)(0.02 * Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()))).ToArray();
        _layout = new Int4Layout(K, Rows, BlockSize);
        _packed = new byte[_layout.PackedBytesPerRow];
        _scales = new float[_layout.BlocksPerRow * Rows];
        _zeroPoints = new byte[_layout.ZeroPointBytesPerRow * Rows];
    }

    [Benchmark(Baseline = true, Description = "scalar loop")]
    public void Scalar()
    {
        for (var row = 0; row < Rows; row++)
        {
            BlockQuantizer.QuantizeRowScalar(_weights.AsSpan(row * K, K), BlockSize, _packed, Scales(row), ZeroPoints(row));
        }
    }

    [Benchmark(Description = "Vector128")]
    public void Vector128() => Vectorized(wide: false);

    [Benchmark(Description = "Vector256")]
    public void Vector256() => Vectorized(wide: true);

    private void Vectorized(bool wide)
    {
        for (var row = 0; row < Rows; row++)
        {
            BlockQuantizer.QuantizeRow(_weights.AsSpan(row * K, K), BlockSize, _packed, Scales(row), ZeroPoints(row), wide);
        }
    }

    private Span<float> Scales(int row) => _scales.AsSpan(row * (int)_layout.BlocksPerRow, (int)_layout.BlocksPerRow);

    private Span<byte> ZeroPoints(int row) => _zeroPoints.AsSpan(row * (int)_layout.ZeroPointBytesPerRow, (int)_layout.ZeroPointBytesPerRow);

    private sealed class ShortRunConfig : ManualConfig
    {
        public ShortRunConfig() => AddJob(Job.ShortRun);
    }
}
