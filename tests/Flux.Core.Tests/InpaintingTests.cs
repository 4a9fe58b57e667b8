using Flux.Core;

namespace Flux.Core.Tests;

/// <summary>Restatements of diffusers' FluxInpaintPipeline (pipeline_flux_inpaint.py) mask handling, loop by loop.</summary>
public class InpaintingTests
{
    private static readonly ImageSize Size = ImageSize.Create(48, 32);   // latent 4 x 6, 2 x 3 tokens

    [Fact]
    public void PackedMask_IsBinarizedNearestDownsampledRepeatedAndPacked()
    {
        var random = new Random(3);
        var mask = new byte[Size.Width * Size.Height];
        random.NextBytes(mask);

        var packed = Inpainting.PackedMask(mask, Size);

        // mask_processor: mask / 255, binarize (< 0.5 -> 0, else 1);
        // interpolate(size=(h, w)), mode "nearest": source index = min(floor(dst * in / out), in - 1);
        // mask.repeat(1, 16, 1, 1); _pack_latents: view(b, c, h/2, 2, w/2, 2).permute(0, 2, 4, 1, 3, 5).
        int h = Size.Height / 8, w = Size.Width / 8;
        double scaleY = Size.Height / (double)h, scaleX = Size.Width / (double)w;
        for (int row = 0; row < h / 2; row++)
        {
            for (int col = 0; col < w / 2; col++)
            {
                for (int c = 0; c < 16; c++)
                {
                    for (int ph = 0; ph < 2; ph++)
                    {
                        for (int pw = 0; pw < 2; pw++)
                        {
                            int y = (2 * row) + ph, x = (2 * col) + pw;
                            int sourceY = Math.Min((int)Math.Floor(y * scaleY), Size.Height - 1);
                            int sourceX = Math.Min((int)Math.Floor(x * scaleX), Size.Width - 1);
                            float binarized = mask[(sourceY * Size.Width) + sourceX] / 255f < 0.5f ? 0f : 1f;
                            int token = (row * (w / 2)) + col;
                            Assert.Equal(binarized, packed[(token * 64) + (c * 4) + (ph * 2) + pw]);
                        }
                    }
                }
            }
        }
    }

    [Fact]
    public void PackedMask_WhiteRectangle_MarksExactlyItsTokens()
    {
        // White (repaint) over pixels x in [16, 48), y in [0, 16): latent cells x 2..5, y 0..1 = tokens (0, 1) and (0, 2).
        var mask = new byte[Size.Width * Size.Height];
        for (int y = 0; y < 16; y++)
        {
            for (int x = 16; x < 48; x++)
            {
                mask[(y * Size.Width) + x] = 255;
            }
        }

        var packed = Inpainting.PackedMask(mask, Size);

        for (int token = 0; token < Size.SequenceLength; token++)
        {
            float expected = token is 1 or 2 ? 1f : 0f;
            Assert.All(packed.AsSpan(token * 64, 64).ToArray(), v => Assert.Equal(expected, v));
        }
    }

    [Fact]
    public void PackedMask_BinarizesAtHalf_127IsKept_128IsRepainted()
    {
        var packed127 = Inpainting.PackedMask(Enumerable.Repeat((byte)127, Size.Width * Size.Height).ToArray(), Size);
        var packed128 = Inpainting.PackedMask(Enumerable.Repeat((byte)128, Size.Width * Size.Height).ToArray(), Size);
        Assert.All(packed127, v => Assert.Equal(0f, v));
        Assert.All(packed128, v => Assert.Equal(1f, v));
    }

    [Fact]
    public void PackedMask_WrongLength_SaysWhatWasExpected()
    {
        var error = Assert.Throws<ArgumentException>(() => Inpainting.PackedMask(new byte[10], Size));
        Assert.Contains("48x32 mask has 1536", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Blend_KeepsMaskedValues_ResetsTheRestToTheImageNoisedToTNext()
    {
        float[] latents = [5f, 6f, 7f, 8f];
        float[] image = [1f, -2f, 0.5f, 3f];
        float[] noise = [0.25f, 1f, -1f, 2f];
        float[] mask = [1f, 0f, 1f, 0f];
        var expected = new float[4];
        const float tNext = 0.4f;
        for (int i = 0; i < 4; i++)
        {
            // init_latents_proper = scale_noise(image_latents, t_next, noise); latents = (1 - mask) * proper + mask * latents
            float proper = (tNext * noise[i]) + ((1 - tNext) * image[i]);
            expected[i] = ((1 - mask[i]) * proper) + (mask[i] * latents[i]);
        }

        Inpainting.Blend(latents, image, noise, mask, tNext);

        Assert.Equal(expected, latents);
        Assert.Equal(5f, latents[0]);
        Assert.Equal((0.4f * 1f) + (0.6f * -2f), latents[1], 6);
    }

    [Fact]
    public void Blend_AtTheLastStep_PutsTheImageLatentBackExactly()
    {
        float[] latents = [5f, 6f];
        float[] image = [1f, -2f];

        Inpainting.Blend(latents, image, [0.25f, 1f], [0f, 0f], tNext: 0);

        Assert.Equal(image, latents);
    }
}
