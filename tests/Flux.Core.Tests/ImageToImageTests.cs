using Flux.Core;

namespace Flux.Core.Tests;

public class ImageToImageTests
{
    /// <summary>
    /// t_start of diffusers' get_timesteps (pipeline_flux_img2img.py), evaluated in Python 3:
    /// init_timestep = min(steps * strength, steps); t_start = int(max(steps - init_timestep, 0)).
    /// </summary>
    [Theory]
    [InlineData(28, 0.6, 11)]
    [InlineData(4, 0.3, 2)]
    [InlineData(10, 0.7, 3)]
    [InlineData(50, 0.35, 32)]   // 17.5 kept steps become 18: int() truncates t_start = 32.5
    [InlineData(1, 0.5, 0)]
    [InlineData(4, 1.0, 0)]
    [InlineData(4, 0.0, 4)]
    [InlineData(28, 0.999, 0)]
    [InlineData(7, 1.0 / 3, 4)]
    [InlineData(20, 0.15, 17)]
    [InlineData(3, 0.9, 0)]
    public void StartStep_IsDiffusersGetTimestepsTStart(int steps, double strength, int expected)
    {
        Assert.Equal(expected, ImageToImage.StartStep(steps, strength));
    }

    [Theory]
    [InlineData(-0.01)]
    [InlineData(1.01)]
    [InlineData(double.NaN)]
    public void StartStep_StrengthOutsideZeroToOne_IsRefusedWithTheValue(double strength)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => ImageToImage.StartStep(4, strength));
        Assert.Contains("strength", error.Message, StringComparison.Ordinal);
        Assert.Contains("between 0 and 1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void KeptSteps_AreTheTailOfTheFullShiftedSchedule()
    {
        // diffusers computes the whole shifted schedule for `steps`, then slices timesteps[t_start:].
        const int steps = 28;
        var full = Schedule.Flux(steps, 4096, ScheduleShift.Dynamic);
        int start = ImageToImage.StartStep(steps, 0.6);
        var kept = full[start..];
        Assert.Equal(steps - start + 1, kept.Length);   // 17 steps: 18 times from t0 down to 0
        Assert.Equal(full[11], kept[0]);
        Assert.True(kept[0] < 1 && kept[0] > 0.6, $"t0 = {kept[0]}: the dynamic shift keeps the first kept time above the strength");
        Assert.Equal(0, kept[^1]);
    }

    [Fact]
    public void StartLatent_IsScaleNoise_SigmaTimesNoisePlusOneMinusSigmaTimesImage()
    {
        float[] image = [1f, -2f, 0.5f, 3f];
        float[] noise = [0.25f, 1f, -1f, 0f];
        var x = new float[4];

        ImageToImage.StartLatent(image, noise, 0.75, x);

        // FlowMatchEulerDiscreteScheduler.scale_noise: sample = sigma * noise + (1.0 - sigma) * sample
        for (int i = 0; i < x.Length; i++)
        {
            Assert.Equal((0.75f * noise[i]) + (0.25f * image[i]), x[i], 6);
        }
    }

    [Fact]
    public void StartLatent_AtStrengthOne_IsThePureNoise_AtStrengthZero_IsTheImage()
    {
        float[] image = [1f, -2f, 0.5f];
        float[] noise = [0.25f, 1f, -1f];
        var full = Schedule.Flux(4, 256, ScheduleShift.None);
        var x = new float[3];

        ImageToImage.StartLatent(image, noise, full[ImageToImage.StartStep(4, 1.0)], x);
        Assert.Equal(noise, x);

        ImageToImage.StartLatent(image, noise, full[ImageToImage.StartStep(4, 0.0)], x);
        Assert.Equal(image, x);
    }

    [Fact]
    public void StartLatent_MismatchedLengths_NameAllThree()
    {
        var error = Assert.Throws<ArgumentException>(() => ImageToImage.StartLatent(new float[4], new float[3], 0.5, new float[4]));
        Assert.Contains("4, 3 and 4", error.Message, StringComparison.Ordinal);
    }
}
