using Flux.Core;

namespace Flux.Core.Tests;

public class PreviewAndScalingTests
{
    [Fact]
    public void ToRgb_ZeroLatent_IsTheBiasMappedToBytes()
    {
        var size = ImageSize.Create(32, 16);
        var rgb = new byte[LatentPreview.RgbLength(size)];

        LatentPreview.ToRgb(new float[size.PackedLength], size, rgb);

        // ComfyUI's FLUX bias (-0.0329, -0.0718, -0.0851), then (v + 1) / 2 * 255.
        byte[] bias = [(byte)Math.Round(0.9671 / 2 * 255), (byte)Math.Round(0.9282 / 2 * 255), (byte)Math.Round(0.9149 / 2 * 255)];
        for (int pixel = 0; pixel < rgb.Length; pixel += 3)
        {
            Assert.Equal(bias, rgb[pixel..(pixel + 3)]);
        }
    }

    [Fact]
    public void ToRgb_UsesEachChannelsFactorsAtTheRightPixel()
    {
        // Channel 13 = 4 at latent cell (y=1, x=2) only; ComfyUI's row 13 is (-0.1264, -0.0522, -0.1103).
        var size = ImageSize.Create(32, 16);   // latent 2 x 4
        var latent = new float[size.LatentLength];
        latent[(((13 * 2) + 1) * 4) + 2] = 4f;
        var packed = new float[size.PackedLength];
        LatentLayout.Pack(latent, packed, size);
        var rgb = new byte[LatentPreview.RgbLength(size)];

        LatentPreview.ToRgb(packed, size, rgb);

        int pixel = ((1 * 4) + 2) * 3;
        Assert.Equal((byte)Math.Round((1 + (-0.0329 + (4 * -0.1264))) / 2 * 255), rgb[pixel]);
        Assert.Equal((byte)Math.Round((1 + (-0.0718 + (4 * -0.0522))) / 2 * 255), rgb[pixel + 1]);
        Assert.Equal((byte)Math.Round((1 + (-0.0851 + (4 * -0.1103))) / 2 * 255), rgb[pixel + 2]);
        Assert.Equal(rgb[0], rgb[3 * 3]);   // other cells keep the bias colour
    }

    [Fact]
    public void ToRgb_ClampsToTheByteRange()
    {
        var size = ImageSize.Create(16, 16);
        float[] packed = Enumerable.Repeat(1000f, size.PackedLength).ToArray();
        var rgb = new byte[LatentPreview.RgbLength(size)];

        LatentPreview.ToRgb(packed, size, rgb);

        Assert.Equal(2 * 2 * 3, rgb.Length);   // latent 2 x 2 cells, RGB
        Assert.All(rgb, b => Assert.True(b is 0 or 255));
    }

    [Fact]
    public void EstimateX0_IsXMinusTTimesV()
    {
        float[] x = [1f, 2f, 3f];
        float[] v = [0.5f, -1f, 2f];
        var x0 = new float[3];

        LatentPreview.EstimateX0(x, v, 0.25f, x0);

        Assert.Equal([0.875f, 2.25f, 2.5f], x0);
    }

    [Fact]
    public void ToDecoderInput_IsZOverScalePlusShift()
    {
        float[] z = [0.3611f, 0f, -0.7222f];
        var dest = new float[3];

        VaeScaling.ToDecoderInput(z, dest, FluxConstants.VaeScalingFactor, FluxConstants.VaeShiftFactor);

        Assert.Equal(1.1159f, dest[0], 1e-6f);
        Assert.Equal(0.1159f, dest[1], 1e-6f);
        Assert.Equal(-1.8841f, dest[2], 1e-6f);
    }

    [Fact]
    public void FromEncoderOutput_IsZMinusShiftTimesScale_AndUndoesToDecoderInput()
    {
        // diffusers _encode_vae_image: image_latents = (image_latents - shift_factor) * scaling_factor
        float[] mean = [1.1159f, 0.1159f, -1.8841f];
        var z = new float[3];

        VaeScaling.FromEncoderOutput(mean, z, FluxConstants.VaeScalingFactor, FluxConstants.VaeShiftFactor);

        Assert.Equal(0.3611f, z[0], 1e-6f);
        Assert.Equal(0f, z[1], 1e-6f);
        Assert.Equal(-0.7222f, z[2], 1e-6f);
        var back = new float[3];
        VaeScaling.ToDecoderInput(z, back, FluxConstants.VaeScalingFactor, FluxConstants.VaeShiftFactor);
        Assert.Equal(mean, back, (a, b) => Math.Abs(a - b) < 1e-6f);
    }

    [Fact]
    public void FromEncoderOutput_ZeroScale_IsRefused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => VaeScaling.FromEncoderOutput([1f], new float[1], 0f, 0.1159f));
    }
}
