using System.Runtime.InteropServices;
using Flux.ModelBuilder.Onnx.Int4;

namespace Flux.ModelBuilder.Tests.Int4;

/// <summary>
/// The vectorized <see cref="BlockQuantizer.QuantizeRow(ReadOnlySpan{float}, int, Span{byte}, Span{float}, Span{byte})"/>, at both SIMD
/// widths, against the plain loop it replaced
/// (<see cref="BlockQuantizer.QuantizeRowScalar"/>): packed nibbles, scales (bit patterns, NaN included) and zero
/// points equal byte for byte, for random rows at every block size and length, for edge-case blocks, and for values
/// placed exactly on, just below and just above the rounding midpoints, where floor(x + 0.5) and round-to-even differ
/// from round-half-away-from-zero.
/// </summary>
public sealed class BlockQuantizerTests
{
    private const byte Unwritten = 0xA5;

    public static TheoryData<int> BlockSizes => [.. Int4Quantization.BlockSizes];

    private static readonly int[] Lengths = [1, 3, 15, 16, 17, 31, 32, 33, 48, 63, 64, 65, 96, 127, 128, 129, 200, 255, 256, 257, 300, 1000, 3072, 3077];

    [Theory]
    [MemberData(nameof(BlockSizes))]
    public void RandomRows_OfEveryLength_AreQuantizedByteForByteAsTheScalarLoop(int blockSize)
    {
        var random = new Random(blockSize);
        foreach (var length in Lengths)
        {
            foreach (var (name, draw) in Distributions)
            {
                var row = Enumerable.Range(0, length).Select(_ => draw(random)).ToArray();
                AssertSameAsScalar(row, blockSize, $"{name}, K = {length}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(BlockSizes))]
    public void EdgeCaseBlocks_AreQuantizedByteForByteAsTheScalarLoop(int blockSize)
    {
        foreach (var (name, block) in EdgeCases(blockSize))
        {
            // Alone, between two ordinary blocks (a NaN block must not disturb its neighbours), and cut short as a last block.
            var ordinary = Enumerable.Range(0, blockSize).Select(i => (i % 7 - 3) * 0.01f).ToArray();
            AssertSameAsScalar(block, blockSize, name);
            AssertSameAsScalar([.. ordinary, .. block, .. ordinary], blockSize, name + " between ordinary blocks");
            AssertSameAsScalar([.. ordinary, .. block[..(blockSize / 2 + 1)]], blockSize, name + " as a short last block");
        }
    }

    [Theory]
    [MemberData(nameof(BlockSizes))]
    public void ValuesOnAndBesideEveryMidpoint_WithExactSteps_AreQuantizedAsTheScalarLoop(int blockSize)
    {
        // Power-of-two steps make v / step + zero point exact, so v = (n + 0.5 + zero point shift) · step lands on the midpoint itself.
        foreach (var step in new[] { 1f, 0.5f, 0.0078125f, 4f, MathF.Pow(2, -100) })
        {
            foreach (var zeroPoint in new[] { 0, 1, 7, 15 })
            {
                var values = new List<float> { -zeroPoint * step, (BlockQuantizer.MaxLevel - zeroPoint) * step };   // min and max fix step and zero point
                for (var n = 0; n < BlockQuantizer.MaxLevel; n++)
                {
                    var midpoint = n + 0.5f;
                    foreach (var x in new[] { BitDecrement(midpoint), midpoint, BitIncrement(midpoint) })
                    {
                        values.Add((x - zeroPoint) * step);
                    }
                }

                AssertSameAsScalar(Blocks(values, blockSize), blockSize, $"step {step}, zero point {zeroPoint}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(BlockSizes))]
    public void ValuesLandingJustBelowAHalf_WithArbitrarySteps_AreQuantizedAsTheScalarLoop(int blockSize)
    {
        // x = v · (1/step) + zero point, computed as the quantizer does, searched to equal the float just below n + 0.5 (and n + 0.5).
        var random = new Random(11);
        var landed = 0;
        for (var trial = 0; trial < 40; trial++)
        {
            var max = (float)(random.NextDouble() * 3 + 0.1);
            var min = trial % 2 == 0 ? 0f : -(float)(random.NextDouble() * 3 + 0.1);   // zero point 0 is where 0.49999997 can be reached
            var scale = (max - min) / BlockQuantizer.MaxLevel;
            var reciprocal = 1f / scale;
            var zeroPoint = (int)Math.Clamp(MathF.Round(-min / scale, MidpointRounding.AwayFromZero), 0, BlockQuantizer.MaxLevel);
            var values = new List<float> { min, max };
            for (var n = 0; n < BlockQuantizer.MaxLevel; n++)
            {
                foreach (var target in new[] { BitDecrement(n + 0.5f), n + 0.5f })
                {
                    var guess = (target - zeroPoint) * scale;
                    for (var k = -64; k <= 64; k++)
                    {
                        var v = StepBits(guess, k);
                        if (v > min && v < max && v * reciprocal + zeroPoint == target)
                        {
                            values.Add(v);
                            landed++;
                            break;
                        }
                    }
                }
            }

            AssertSameAsScalar(Blocks(values, blockSize), blockSize, $"range [{min:R}, {max:R}]");
        }

        Assert.True(landed > 200, $"only {landed} values landed on their targets; the search no longer tests the midpoints");
    }

    [Fact]
    public void EveryFloatFromAQuarterToFifteen_RoundsHalfAwayFromZero_AsTheScalarLoop()
    {
        // Blocks of [0, 15] have step 1 and zero point 0, so each value is its own x: this walks every x the rounding can see
        // except those below 0.25 (all level 0). Each block holds one 15 (fixing the step) and 63 consecutive floats.
        const int BlockSize = 64;
        var row = new float[BlockSize * 4096];
        var from = BitConverter.SingleToUInt32Bits(0.25f);
        var to = BitConverter.SingleToUInt32Bits(15f);
        for (var bits = from; bits <= to;)
        {
            for (var i = 0; i < row.Length; i++)
            {
                row[i] = i % BlockSize == 0 || bits > to ? 15f : BitConverter.UInt32BitsToSingle(bits++);
            }

            AssertSameAsScalar(row, BlockSize, $"floats up to 0x{bits:x8}");
        }
    }

    [Fact]
    public void MidpointsRoundAwayFromZero_AndTheFloatBelowHalfRoundsDown()
    {
        // Independent of the scalar loop: step 1, zero point 0 (min 0, max 15); levels packed low nibble first.
        float[] block = [15f, BitDecrement(0.5f), 0.5f, BitDecrement(1.5f), 1.5f, 2.5f, 14.5f, BitDecrement(14.5f), .. new float[8]];
        var packed = new byte[8];
        var scales = new float[1];
        var zeroPoints = new byte[1];

        BlockQuantizer.QuantizeRow(block, 16, packed, scales, zeroPoints);

        Assert.Equal(1f, scales[0]);
        Assert.Equal(0, zeroPoints[0]);
        Assert.Equal(new byte[] { 15 | 0 << 4, 1 | 1 << 4, 2 | 3 << 4, 15 | 14 << 4, 0, 0, 0, 0 }, packed);
    }

    private static readonly (string Name, Func<Random, float> Draw)[] Distributions =
    [
        ("normal, sigma 0.02 (FLUX-like weights)", r => (float)(Normal(r) * 0.02)),
        ("uniform [-1, 1)", r => (float)(r.NextDouble() * 2 - 1)),
        ("all positive", r => (float)(r.NextDouble() + 1e-3)),
        ("all negative", r => -(float)(r.NextDouble() + 1e-3)),
        ("magnitudes 1e-38 to 1e38, either sign", r => (float)((r.Next(2) * 2 - 1) * Math.Pow(10, r.NextDouble() * 76 - 38))),
        ("few levels with exact zeros and repeats", r => r.Next(5) * 0.25f - 0.5f),
    ];

    private static IEnumerable<(string Name, float[] Block)> EdgeCases(int blockSize)
    {
        float[] Fill(Func<int, float> value) => Enumerable.Range(0, blockSize).Select(value).ToArray();
        float[] With(float[] block, params (int Index, float Value)[] changes)
        {
            foreach (var (index, value) in changes)
            {
                block[index % blockSize] = value;
            }

            return block;
        }

        yield return ("all zeros", Fill(_ => 0f));
        yield return ("negative zeros", Fill(_ => -0f));
        yield return ("zeros of both signs", Fill(i => i % 3 == 0 ? -0f : 0f));
        yield return ("constant positive", Fill(_ => 0.7f));
        yield return ("constant negative", Fill(_ => -0.7f));
        yield return ("all positive", Fill(i => 1 + i * 0.1f));
        yield return ("all negative", Fill(i => -1 - i * 0.1f));
        yield return ("one outlier", With(Fill(i => (i % 5) * 1e-3f), (blockSize / 3, 40f)));
        yield return ("denormals", Fill(i => (i % 9 - 4) * float.Epsilon));
        yield return ("denormal range, scale underflows to 0", With(Fill(_ => 0f), (1, float.Epsilon)));
        yield return ("denormal step, reciprocal overflows", With(Fill(i => (i % 16) * float.Epsilon), (0, 15 * float.Epsilon)));
        yield return ("smallest normals and denormals", Fill(i => (i % 2 == 0 ? 1 : -1) * BitConverter.UInt32BitsToSingle(0x00800000u - (uint)(i % 3))));
        yield return ("very large magnitudes, finite range", Fill(i => (i % 2 == 0 ? 1 : -1) * 1.7e38f / 4 * (i % 4 + 1)));
        yield return ("range overflows to infinity", With(Fill(i => i * 1e30f), (0, float.MaxValue), (1, -float.MaxValue)));
        yield return ("+infinity", With(Fill(i => i * 0.01f), (2, float.PositiveInfinity)));
        yield return ("-infinity", With(Fill(i => i * 0.01f), (blockSize - 1, float.NegativeInfinity)));
        yield return ("both infinities", With(Fill(i => i * 0.01f), (3, float.PositiveInfinity), (5, float.NegativeInfinity)));
        yield return ("NaN", With(Fill(i => i * 0.01f - 0.2f), (blockSize / 2, float.NaN)));
        yield return ("NaN first, then numbers", With(Fill(i => i * -0.01f), (0, float.NaN)));
        yield return ("NaNs with different payloads and signs", With(Fill(i => i * 0.01f),
            (1, BitConverter.UInt32BitsToSingle(0x7FC01234)), (6, BitConverter.UInt32BitsToSingle(0xFFC00001)), (blockSize - 2, float.NaN)));
        yield return ("NaN and infinity", With(Fill(i => i * 0.01f), (4, float.NaN), (9, float.NegativeInfinity)));
    }

    /// <summary>The values in order, cut into blocks of blockSize: each block gets the first two (min and max) and as many of the rest as fit.</summary>
    private static float[] Blocks(List<float> values, int blockSize)
    {
        var (min, max, rest) = (values[0], values[1], values.Skip(2).ToList());
        var perBlock = blockSize - 2;
        var row = new List<float>();
        for (var i = 0; i < rest.Count; i += perBlock)
        {
            var block = rest.Skip(i).Take(perBlock).ToList();
            row.AddRange([min, .. block, max, .. new float[perBlock - block.Count]]);
        }

        return [.. row];
    }

    /// <summary>Both SIMD widths (eight lanes and four) against the scalar loop.</summary>
    private static void AssertSameAsScalar(float[] row, int blockSize, string what)
    {
        var layout = new Int4Layout(row.Length, 1, blockSize);
        var (expectedPacked, expectedScales, expectedZeroPoints) = Outputs(layout);
        BlockQuantizer.QuantizeRowScalar(row, blockSize, expectedPacked, expectedScales, expectedZeroPoints);
        foreach (var wide in new[] { true, false })
        {
            var (packed, scales, zeroPoints) = Outputs(layout);
            BlockQuantizer.QuantizeRow(row, blockSize, packed, scales, zeroPoints, wide);

            var expectedScaleBits = MemoryMarshal.Cast<float, uint>(expectedScales.AsSpan());
            var scaleBits = MemoryMarshal.Cast<float, uint>(scales.AsSpan());
            var blob = layout.BlobBytes;
            for (var b = 0; b < scales.Length; b++)
            {
                if (expectedScaleBits[b] != scaleBits[b] || !expectedPacked.AsSpan(b * blob, blob).SequenceEqual(packed.AsSpan(b * blob, blob)))
                {
                    Assert.Fail($"{what}, block size {blockSize}, {(wide ? "Vector256" : "Vector128")}, block {b}: scale 0x{scaleBits[b]:x8} ({scales[b]:R}), packed {Convert.ToHexString(packed, b * blob, blob)}; "
                        + $"scalar 0x{expectedScaleBits[b]:x8} ({expectedScales[b]:R}), {Convert.ToHexString(expectedPacked, b * blob, blob)}; "
                        + $"values [{string.Join(", ", row.Skip(b * blockSize).Take(blockSize).Select(v => v.ToString("R")))}]");
                }
            }

            Assert.True(expectedZeroPoints.AsSpan().SequenceEqual(zeroPoints),
                $"zero points {Convert.ToHexString(zeroPoints)}, scalar {Convert.ToHexString(expectedZeroPoints)}; {what}, block size {blockSize}, {(wide ? "Vector256" : "Vector128")}");
        }
    }

    /// <summary>Output buffers filled with a pattern, so a byte either path leaves unwritten shows as a difference.</summary>
    private static (byte[] Packed, float[] Scales, byte[] ZeroPoints) Outputs(Int4Layout layout)
    {
        var packed = new byte[layout.PackedBytesPerRow];
        var scales = new float[layout.BlocksPerRow];
        var zeroPoints = new byte[layout.ZeroPointBytesPerRow];
        packed.AsSpan().Fill(Unwritten);
        MemoryMarshal.AsBytes(scales.AsSpan()).Fill(Unwritten);
        zeroPoints.AsSpan().Fill(Unwritten);
        return (packed, scales, zeroPoints);
    }

    private static float BitDecrement(float x) => MathF.BitDecrement(x);

    private static float BitIncrement(float x) => MathF.BitIncrement(x);

    private static float StepBits(float x, int steps) => BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(x) + (x >= 0 ? steps : -steps));

    private static double Normal(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
