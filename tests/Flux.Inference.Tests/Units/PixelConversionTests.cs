using Flux.Inference.Stages;

namespace Flux.Inference.Tests.Units;

public class PixelConversionTests
{
    /// <summary>BFL's reference: x.clamp(-1, 1) -> 127.5 * (x + 1) -> byte, i.e. clamp((x + 1) * 127.5, 0, 255) truncated.</summary>
    private static byte Reference(float x) => (byte)Math.Clamp((x + 1f) * 127.5f, 0f, 255f);

    [Theory]
    [InlineData(1)]
    [InlineData(31)]
    [InlineData(4096)]
    [InlineData(4096 + 37)]
    [InlineData(3 * 4096)]
    public void ToRgb_EveryPixel_MatchesTheReferenceFormulaAndInterleavesChannels(int pixels)
    {
        var random = new Random(pixels);
        float[] special = [-1f, 1f, 0f, -1.0000001f, 1.0000001f, -7f, 7f, float.NaN, float.PositiveInfinity, float.NegativeInfinity, float.Epsilon, -float.Epsilon];
        float[] planes = new float[3 * pixels];   // (3, H, W)
        for (int i = 0; i < planes.Length; i++)
        {
            planes[i] = i % 5 == 0 ? special[i / 5 % special.Length]
                : i % 5 == 1 ? (random.Next(256) / 127.5f) - 1f   // exactly on a level boundary
                : (float)((random.NextDouble() * 2.4) - 1.2);
        }

        byte[] rgb = new byte[3 * pixels];
        VaeDecoding.ToRgb(planes, pixels, rgb);

        for (int p = 0; p < pixels; p++)
        {
            for (int c = 0; c < 3; c++)
            {
                float value = planes[(c * pixels) + p];
                Assert.True(Reference(value) == rgb[(3 * p) + c], $"pixel {p} channel {c}: {value:R} gave {rgb[(3 * p) + c]}, expected {Reference(value)}");
            }
        }
    }

    [Fact]
    public void ToRgb_MismatchedLengths_AreRefused()
    {
        var error = Assert.Throws<ArgumentException>(() => VaeDecoding.ToRgb(new float[3 * 10], 10, new byte[29]));
        Assert.Contains("10 RGB pixels", error.Message, StringComparison.Ordinal);
    }
}
