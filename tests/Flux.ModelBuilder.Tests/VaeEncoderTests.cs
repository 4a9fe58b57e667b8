using Flux.ModelBuilder.Reference;

namespace Flux.ModelBuilder.Tests;

/// <summary>The built-in packages' vae_encoder: sample (B, 3, H, W) in [-1, 1] -> latent_sample (B, 16, H/8, W/8).</summary>
[Collection(PackagesCollection.Name)]
public sealed class VaeEncoderTests(PackagesFixture packages)
{
    private const int Height = 32;
    private const int Width = 48;

    [Fact]
    public void ReferenceEncoder_OfDecodedLatent_GivesTheLatentBack()
    {
        using var encoder = new OnnxModel(Path.Combine(packages.Reference, "vae_encoder/model.onnx"));
        using var decoder = new OnnxModel(Path.Combine(packages.Reference, "vae_decoder/model.onnx"));
        var z = RandomLatent(seed: 1, batch: 2);

        var image = Decode(decoder, z, batch: 2);
        Assert.True(image.Max(Math.Abs) < 1f, "the test latent must decode inside [-1, 1], where the decoder's clip does nothing");
        var again = Encode(encoder, image, batch: 2);

        AssertClose(z, again, 1e-5f, "E(D(z))");
    }

    [Fact]
    public void ReferenceEncoderThenDecoder_ReproducesImagesTheDecoderCanDraw()
    {
        using var encoder = new OnnxModel(Path.Combine(packages.Reference, "vae_encoder/model.onnx"));
        using var decoder = new OnnxModel(Path.Combine(packages.Reference, "vae_decoder/model.onnx"));
        var image = Decode(decoder, RandomLatent(seed: 2, batch: 1), batch: 1);   // in D's range by construction

        AssertClose(image, Decode(decoder, Encode(encoder, image, batch: 1), batch: 1), 1e-5f, "D(E(x))");
    }

    [Fact]
    public void ReferenceEncoder_MatchesTheBuildersLeastSquaresEncoder()
    {
        using var encoder = new OnnxModel(Path.Combine(packages.Reference, "vae_encoder/model.onnx"));
        var random = new Random(4);
        var image = Enumerable.Range(0, 3 * Height * Width).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray();   // not in D's range

        AssertClose(PatchVae.Encode(image, Flux.Core.ImageSize.Create(Width, Height)), Encode(encoder, image, batch: 1), 1e-5f, "E(x)");
    }

    [Fact]
    public void TinyEncoder_HasTheRealIoNames_AndDownsamplesEightTimes()
    {
        using var encoder = new OnnxModel(Path.Combine(packages.Tiny, "vae_encoder/model.onnx"));
        Assert.Equal(["sample"], encoder.Session.InputMetadata.Keys);
        Assert.Equal(["latent_sample"], encoder.Session.OutputMetadata.Keys);
        var random = new Random(5);
        var image = Enumerable.Range(0, 2 * 3 * Height * Width).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray();

        var latent = Encode(encoder, image, batch: 2);

        Assert.Equal(2 * 16 * (Height / 8) * (Width / 8), latent.Length);
        Assert.All(latent, v => Assert.True(float.IsFinite(v)));
        Assert.True(latent.Max() - latent.Min() > 0.1f, "the latent should not be flat");
    }

    /// <summary>Latent values small enough that every decoded pixel stays inside (-1, 1).</summary>
    private static float[] RandomLatent(int seed, int batch)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, batch * 16 * (Height / 8) * (Width / 8)).Select(_ => (float)((random.NextDouble() * 0.2) - 0.1))];
    }

    private static float[] Decode(OnnxModel decoder, float[] z, int batch) =>
        decoder.Run("sample", new Dictionary<string, OnnxModel.Input> { ["latent_sample"] = OnnxModel.Floats(z, batch, 16, Height / 8, Width / 8) });

    private static float[] Encode(OnnxModel encoder, float[] image, int batch) =>
        encoder.Run("latent_sample", new Dictionary<string, OnnxModel.Input> { ["sample"] = OnnxModel.Floats(image, batch, 3, Height, Width) });

    private static void AssertClose(float[] expected, float[] actual, float tolerance, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        var worst = expected.Zip(actual, (e, a) => Math.Abs(e - a)).Max();
        Assert.True(worst <= tolerance, $"{what}: largest difference {worst} exceeds {tolerance}");
    }
}
