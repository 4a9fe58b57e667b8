namespace Flux.Inference;

/// <summary>
/// A named image size, as the hosted FLUX APIs take it (fal's <c>image_size</c> names and sizes): the alternative to
/// giving width and height. Every preset is a multiple of 16 on both sides, so any package without a fixed size renders it.
/// </summary>
public sealed record SizePreset(string Name, int Width, int Height)
{
    /// <summary>The request field and error key the presets are given in.</summary>
    public const string Field = "size";

    public static IReadOnlyList<SizePreset> All { get; } =
    [
        new("square_hd", 1024, 1024),
        new("square", 512, 512),
        new("portrait_4_3", 768, 1024),
        new("portrait_16_9", 576, 1024),
        new("landscape_4_3", 1024, 768),
        new("landscape_16_9", 1024, 576),
    ];

    /// <summary>"square_hd, square, ...": the allowed names, for error messages and help.</summary>
    public static string AllowedNames { get; } = string.Join(", ", All.Select(p => p.Name));

    /// <summary>The preset named <paramref name="name"/> (case-insensitive), or null.</summary>
    public static SizePreset? Find(string? name) => All.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>The preset, or <see cref="InvalidGenerationSettingsException"/> on field "size" listing the allowed names.</summary>
    public static SizePreset Parse(string? name) =>
        Find(name) ?? throw new InvalidGenerationSettingsException(Field, $"size '{name}' is not a size preset: it must be one of {AllowedNames}");

    public override string ToString() => $"{Name} ({Width}x{Height})";
}
