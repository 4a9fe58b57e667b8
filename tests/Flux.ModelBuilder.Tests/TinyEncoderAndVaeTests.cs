using Flux.Core;

namespace Flux.ModelBuilder.Tests;

[Collection(PackagesCollection.Name)]
public sealed class TinyEncoderAndVaeTests(PackagesFixture packages)
{
    private const int ClipLength = 77;

    [Fact]
    public void ClipPooledOutput_IsTakenAtTheEndToken_SoTokensAfterItDoNotMatter()
    {
        using var clip = new OnnxModel(Path.Combine(packages.Tiny, "text_encoder/model.onnx"));
        long[] prompt = [49406, 320, 736, 7117, 49407];
        var padded = Ids(prompt, pad: 49407);
        var otherPadding = Ids(prompt, pad: 49407);
        otherPadding[10] = 1125; // a token after the end token: causal attention never lets the end token see it
        var otherContent = Ids([49406, 320, 1746, 7117, 49407], pad: 49407);

        var pooled = Pooled(clip, padded);
        Assert.Equal(768, pooled.Length);
        Assert.Equal(pooled, Pooled(clip, otherPadding));
        Assert.True(pooled.Zip(Pooled(clip, otherContent), (a, b) => Math.Abs(a - b)).Max() > 1e-3f, "a content word must change the pooled output");
    }

    [Fact]
    public void VaeDecoder_UpsamplesEightTimes_IntoMinusOneToOne()
    {
        using var vae = new OnnxModel(Path.Combine(packages.Tiny, "vae_decoder/model.onnx"));
        var random = new Random(3);
        var latent = Enumerable.Range(0, 2 * 16 * 4 * 6).Select(_ => (float)(random.NextDouble() * 6 - 3)).ToArray();

        var image = vae.Run("sample", new Dictionary<string, OnnxModel.Input> { ["latent_sample"] = OnnxModel.Floats(latent, 2, 16, 4, 6) });

        Assert.Equal(2 * 3 * 32 * 48, image.Length);
        Assert.All(image, v => Assert.InRange(v, -1f, 1f));
        Assert.True(image.Max() - image.Min() > 0.5f, "the image should not be flat");
    }

    [Fact]
    public void TinySampling_With28EulerSteps_StaysFinite()
    {
        var size = ImageSize.Create(128, 128);
        using var transformer = new OnnxModel(Path.Combine(packages.Tiny, "transformer/model.onnx"));
        var inputs = TinyTransformerTests.BaseInputs(size, textLength: 256, dev: false);
        var model = new TransformerVelocity(transformer, inputs, size);
        var noise = new float[size.LatentLength];
        PhiloxNoise.Fill(11, 0, noise);
        var x = new float[size.PackedLength];
        LatentLayout.Pack(noise, x, size);

        Denoiser.Run(model, x, Schedule.Flux(28, size.SequenceLength, ScheduleShift.None), Samplers.Euler, 0, 28, null, CancellationToken.None);

        Assert.All(x, v => Assert.True(float.IsFinite(v) && Math.Abs(v) < 1e3f, $"latent value {v}"));
    }

    private static long[] Ids(long[] prompt, long pad)
    {
        var ids = Enumerable.Repeat(pad, ClipLength).ToArray();
        prompt.CopyTo(ids, 0);
        return ids;
    }

    private static float[] Pooled(OnnxModel clip, long[] ids) =>
        clip.Run("pooler_output", new Dictionary<string, OnnxModel.Input> { ["input_ids"] = OnnxModel.Int64s(ids, 1, ClipLength) });

    /// <summary>The tiny transformer for one image as a velocity field, the other inputs fixed.</summary>
    private sealed class TransformerVelocity(OnnxModel transformer, Dictionary<string, OnnxModel.Input> inputs, ImageSize size) : IVelocityModel
    {
        public void Evaluate(ReadOnlySpan<float> x, float t, Span<float> velocity)
        {
            var single = inputs.ToDictionary(p => p.Key, p => p.Key is "img_ids" or "txt_ids" ? p.Value : p.Value.FirstItem());
            single["hidden_states"] = OnnxModel.Floats(x.ToArray(), 1, size.SequenceLength, FluxConstants.PackedChannels);
            single["timestep"] = OnnxModel.Floats([t], 1);
            transformer.Run("latent", single).CopyTo(velocity);
        }
    }
}
