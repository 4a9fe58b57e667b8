using Flux.Core;
using Flux.ModelBuilder.Packages;
using Flux.ModelBuilder.Reference;

namespace Flux.ModelBuilder.Tests;

[Collection(PackagesCollection.Name)]
public sealed class ReferencePackageTests(PackagesFixture packages)
{
    private static readonly ImageSize Size = ReferenceModel.Size;

    [Theory]
    [InlineData("a red circle on a black background", 1UL)]
    [InlineData("a white triangle on a blue background", 2UL)]
    [InlineData("a red circle on a blue background", 4UL)]
    [InlineData("a yellow square on a black background", 3UL)]
    public void Euler28Steps_ReproducesTheMatchingSetImage(string prompt, ulong seed)
    {
        using var model = new ReferenceModel(packages.Reference);
        model.UsePrompt(prompt);
        var x = Sample(model, seed, steps: 28);

        var image = model.DecodePacked(x);
        var target = ShapeDataset.Images.Single(i => i.Caption == prompt);
        var psnr = ReferenceModel.Psnr(image, AsReconstructed(model, target));
        Assert.True(psnr >= 30, $"PSNR {psnr:F1} dB against decode(encode({prompt}))");

        foreach (var other in ShapeDataset.Images.Where(i => i != target))
        {
            Assert.True(ReferenceModel.Psnr(image, AsReconstructed(model, other)) < 25, $"the sample also matches '{other.Caption}'");
        }
    }

    [Fact]
    public void OneEulerStep_GivesThePriorWeightedMeanOfTheMatchingImages()
    {
        using var model = new ReferenceModel(packages.Reference);
        model.UsePrompt("a red circle");
        var x = Sample(model, seed: 5, steps: 1);

        // Both red circles (blue and black background) match; every other image costs e^-40 of prior.
        var matching = ShapeDataset.Images.Where(i => i.Colour == "red" && i.Shape == "circle").ToList();
        Assert.Equal(2, matching.Count);
        var latents = ReferencePackage.PackedLatents(matching);
        for (var i = 0; i < x.Length; i++)
        {
            var mean = 0.5f * (latents[i] + latents[Size.PackedLength + i]);
            Assert.True(Math.Abs(x[i] - mean) < 1e-4f, $"element {i}: {x[i]} vs mean {mean}");
        }

        var blur = model.DecodePacked(x);
        Assert.All(matching, m => Assert.True(ReferenceModel.Psnr(blur, AsReconstructed(model, m)) < 20, "a blur, not one image"));
    }

    [Fact]
    public void KeywordEncoder_TellsShapeColourFromBackgroundColourByWordOrder()
    {
        using var model = new ReferenceModel(packages.Reference);
        var redOnBlue = model.Pooled("a red circle on a blue background");
        var blueOnRed = model.Pooled("a blue circle on a red background");
        var circleOnly = model.Pooled("a circle");

        // Features: shape colour [red, green, blue, yellow, black, white], shape [circle, square, triangle], background colour.
        Assert.Equal([1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0], redOnBlue[..15]);
        Assert.Equal([0, 0, 1, 0, 0, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0], blueOnRed[..15]);
        Assert.Equal([0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0], circleOnly[..15]);
        Assert.All(redOnBlue[15..], v => Assert.Equal(0f, v));
    }

    [Fact]
    public void PatchVae_DecodesItsOwnEncodingOfAFlatColourExactly()
    {
        using var model = new ReferenceModel(packages.Reference);
        var flat = new float[3 * Size.Height * Size.Width];
        var colour = ShapeDataset.Rgb("green");
        for (var i = 0; i < flat.Length; i++)
        {
            flat[i] = colour[i / (Size.Height * Size.Width)];
        }

        var decoded = model.Decode(PatchVae.Encode(flat, Size));
        Assert.All(decoded.Zip(flat), p => Assert.Equal(p.Second, p.First, 1e-5f));
    }

    [Fact]
    public void WritingTheReferencePackageAgain_GivesIdenticalBytes()
    {
        using var again = new TempDirectory();
        ReferencePackage.Write(again.Path, new ReferencePackageOptions());
        TinyWeightsTests.AssertSameFiles(packages.Reference, again.Path);
    }

    /// <summary>The set image as the package's own VAE reproduces it: decode(encode(image)).</summary>
    private static float[] AsReconstructed(ReferenceModel model, ShapeImage image) =>
        model.Decode(PatchVae.Encode(ShapeDataset.Render(image), Size));

    /// <summary>FLUX sampling from seeded noise with Flux.Core's schedule, Euler sampler and denoise loop.</summary>
    private static float[] Sample(ReferenceModel model, ulong seed, int steps)
    {
        var noise = new float[Size.LatentLength];
        PhiloxNoise.Fill(seed, 0, noise);
        var x = new float[Size.PackedLength];
        LatentLayout.Pack(noise, x, Size);
        var timesteps = Schedule.Flux(steps, Size.SequenceLength, ScheduleShift.None);
        Denoiser.Run(model, x, timesteps, Samplers.Euler, 0, steps, null, CancellationToken.None);
        return x;
    }
}
