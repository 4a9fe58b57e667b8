using Flux.ModelBuilder.Reference;

namespace Flux.Inference.Tests.Pipeline;

/// <summary>
/// The reference package's velocity field is the exact flow of its own image set, so a correct pipeline
/// (tokens, schedule, sampler, packing, VAE scaling) redraws the set's picture for each caption.
/// </summary>
[Collection(BuiltPackagesCollection.Name)]
public class ReferencePipelineTests(BuiltPackages packages)
{
    private const int Side = 256;
    private const int ColourTolerance = 24;
    private const double MinimumMatchingFraction = 0.97;

    private GenerationSettings Settings(string prompt, long seed = 7, int steps = 12) =>
        GenerationSettings.Defaults(packages.Reference.Package, prompt) with { Seed = seed, Steps = steps };

    [Fact]
    public void RedCircleOnBlueBackground_CentreIsRedAndBorderIsBlue()
    {
        var image = packages.Reference.Generate(Settings("a red circle on a blue background"));
        Assert.True(Near(Pixel(image.Rgb, Side / 2, Side / 2), Colour("red")), $"centre is {Pixel(image.Rgb, Side / 2, Side / 2)}");
        foreach (var (x, y) in new[] { (2, 2), (Side - 3, 2), (2, Side - 3), (Side - 3, Side - 3), (Side / 2, 2) })
        {
            Assert.True(Near(Pixel(image.Rgb, x, y), Colour("blue")), $"border ({x}, {y}) is {Pixel(image.Rgb, x, y)}");
        }
    }

    [Fact]
    public void EveryColourAndShapeWord_IsHonoured()
    {
        var images = ShapeDataset.Images;
        var results = packages.Reference.Generate(images.Select((s, i) => Settings(s.Caption) with { ImageIndex = i }).ToList());
        for (int i = 0; i < images.Count; i++)
        {
            var expected = images[i];
            double matching = MatchingFraction(results[i].Rgb, expected);
            Assert.True(matching >= MinimumMatchingFraction, $"'{expected.Caption}': only {matching:P1} of pixels match the set's picture");
        }
    }

    [Theory]
    [InlineData("euler")]
    [InlineData("heun")]
    [InlineData("rk4")]
    public void EverySampler_DrawsTheCaptionedPicture(string sampler)
    {
        var expected = ShapeDataset.Images.First(i => i.Shape == "triangle");
        var image = packages.Reference.Generate(Settings(expected.Caption, steps: 6) with { Sampler = sampler });
        double matching = MatchingFraction(image.Rgb, expected);
        Assert.True(matching >= MinimumMatchingFraction, $"{sampler}: only {matching:P1} of pixels match '{expected.Caption}'");
    }

    [Fact]
    public void SameSeed_GivesIdenticalPng_AnotherSeedDiffers()
    {
        var settings = Settings("a yellow square on a white background", seed: 11, steps: 3);
        byte[] first = packages.Reference.Generate(settings).Png;
        byte[] again = packages.Reference.Generate(settings).Png;
        byte[] other = packages.Reference.Generate(settings with { Seed = 12 }).Png;
        Assert.Equal(first, again);
        Assert.NotEqual(first, other);
    }

    private static double MatchingFraction(byte[] rgb, ShapeImage image)
    {
        var fill = Colour(image.Colour);
        var background = Colour(image.Background);
        int matching = 0;
        for (int y = 0; y < Side; y++)
        {
            for (int x = 0; x < Side; x++)
            {
                var expected = ShapeDataset.Covers(image.Shape, x + 0.5, y + 0.5) ? fill : background;
                matching += Near(Pixel(rgb, x, y), expected) ? 1 : 0;
            }
        }

        return matching / (double)(Side * Side);
    }

    private static (int R, int G, int B) Colour(string name)
    {
        var (_, r, g, b) = ShapeDataset.Colours.Single(c => c.Name == name);
        return (r, g, b);
    }

    private static (int R, int G, int B) Pixel(byte[] rgb, int x, int y)
    {
        int i = ((y * Side) + x) * 3;
        return (rgb[i], rgb[i + 1], rgb[i + 2]);
    }

    private static bool Near((int R, int G, int B) actual, (int R, int G, int B) expected) =>
        Math.Abs(actual.R - expected.R) <= ColourTolerance
        && Math.Abs(actual.G - expected.G) <= ColourTolerance
        && Math.Abs(actual.B - expected.B) <= ColourTolerance;
}
