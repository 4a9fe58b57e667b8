namespace Flux.ModelBuilder.Reference;

/// <summary>One image of the reference set: a coloured shape on a plain background.</summary>
public readonly record struct ShapeImage(string Colour, string Shape, string Background)
{
    public string Caption => $"a {Colour} {Shape} on a {Background} background";
}

/// <summary>
/// The reference model's image set, drawn procedurally at 256x256: every shape colour x shape x
/// background. Every caption word is a single token of the CLIP vocabulary.
/// </summary>
public static class ShapeDataset
{
    public const int Side = 256;

    /// <summary>Colour words the keyword encoder recognises, in feature order, with their RGB (0..255).</summary>
    public static IReadOnlyList<(string Name, byte R, byte G, byte B)> Colours { get; } =
    [
        ("red", 220, 40, 40),
        ("green", 40, 170, 70),
        ("blue", 40, 80, 220),
        ("yellow", 240, 210, 40),
        ("black", 20, 20, 20),
        ("white", 240, 240, 240),
    ];

    public static IReadOnlyList<string> ShapeColours { get; } = ["red", "green", "yellow", "white"];

    public static IReadOnlyList<string> Shapes { get; } = ["circle", "square", "triangle"];

    public static IReadOnlyList<string> Backgrounds { get; } = ["blue", "black"];

    /// <summary>All images, shapes outermost, then shape colour, then background.</summary>
    public static IReadOnlyList<ShapeImage> Images { get; } =
        [.. from shape in Shapes from colour in ShapeColours from background in Backgrounds select new ShapeImage(colour, shape, background)];

    /// <summary>The image as (3, 256, 256) values in [-1, 1], channels R, G, B.</summary>
    public static float[] Render(ShapeImage image)
    {
        var fill = Rgb(image.Colour);
        var background = Rgb(image.Background);
        var pixels = new float[3 * Side * Side];
        for (var y = 0; y < Side; y++)
        {
            for (var x = 0; x < Side; x++)
            {
                var colour = Covers(image.Shape, x + 0.5, y + 0.5) ? fill : background;
                for (var c = 0; c < 3; c++)
                {
                    pixels[(c * Side + y) * Side + x] = colour[c];
                }
            }
        }

        return pixels;
    }

    /// <summary>Whether the shape, centred in the image, covers the pixel centre (x, y).</summary>
    public static bool Covers(string shape, double x, double y)
    {
        const double centre = Side / 2.0, radius = 72, halfSide = 64, top = 48, bottom = 208, halfBase = 80;
        return shape switch
        {
            "circle" => Math.Pow(x - centre, 2) + Math.Pow(y - centre, 2) <= radius * radius,
            "square" => Math.Abs(x - centre) <= halfSide && Math.Abs(y - centre) <= halfSide,
            "triangle" => y >= top && y <= bottom && Math.Abs(x - centre) <= halfBase * (y - top) / (bottom - top),
            _ => throw new ArgumentException($"shape '{shape}' is not one of {string.Join(", ", Shapes)}.", nameof(shape)),
        };
    }

    /// <summary>The colour in [-1, 1] (pixel / 127.5 - 1).</summary>
    public static float[] Rgb(string name)
    {
        foreach (var (colourName, r, g, b) in Colours)
        {
            if (colourName == name)
            {
                return [r / 127.5f - 1f, g / 127.5f - 1f, b / 127.5f - 1f];
            }
        }

        throw new ArgumentException($"colour '{name}' is not one of {string.Join(", ", Colours.Select(c => c.Name))}.", nameof(name));
    }
}
