using Flux.Core;

namespace Flux.Core.Tests;

public sealed class TrueCfgVelocityModelTests
{
    /// <summary>A batched field whose rows differ: row r of the 2B batch gets v = (r + 1)·x + t.</summary>
    private sealed class RowScaledField(int rowLength) : IVelocityModel
    {
        public int Calls { get; private set; }

        public void Evaluate(ReadOnlySpan<float> x, float t, Span<float> velocity)
        {
            Calls++;
            for (int i = 0; i < x.Length; i++)
            {
                velocity[i] = (i / rowLength + 1) * x[i] + t;
            }
        }
    }

    [Fact]
    public void Evaluate_CombinesThePositiveAndNegativeHalves_AsDiffusersTrueCfg()
    {
        const int rowLength = 8, batch = 2;
        var pair = new RowScaledField(rowLength);
        var model = new TrueCfgVelocityModel(pair, 3f, batch * rowLength);
        float[] x = Enumerable.Range(0, batch * rowLength).Select(i => 0.25f * i - 1f).ToArray();
        float[] velocity = new float[x.Length];

        model.Evaluate(x, 0.5f, velocity);

        Assert.Equal(1, pair.Calls);   // both conditionings in one batched evaluation
        for (int i = 0; i < x.Length; i++)
        {
            int row = i / rowLength;
            float positive = (row + 1) * x[i] + 0.5f;             // row of the positive half
            float negative = (row + batch + 1) * x[i] + 0.5f;     // the same image's row in the negative half
            Assert.Equal(negative + 3f * (positive - negative), velocity[i], 5);
        }
    }

    [Theory]
    [InlineData(1f)]
    [InlineData(0.5f)]
    [InlineData(float.NaN)]
    public void AScaleOfOneOrLess_IsRefused(float scale) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new TrueCfgVelocityModel(new RowScaledField(1), scale, 4));
}
