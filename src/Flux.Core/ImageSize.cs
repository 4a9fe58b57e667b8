using System.Globalization;

namespace Flux.Core;

/// <summary>
/// An image size in pixels that FLUX can generate: both sides positive multiples of 16, so the
/// latent (H/8 x W/8) splits into whole 2x2 patches. Build it with <see cref="Create"/>.
/// </summary>
public readonly record struct ImageSize(int Width, int Height)
{
    /// <summary>Largest side accepted, so that every derived length fits an <see cref="int"/>.</summary>
    public const int MaxSide = 16384;

    /// <summary>Validates and returns the size; throws <see cref="ArgumentOutOfRangeException"/> naming the side and value.</summary>
    public static ImageSize Create(int width, int height)
    {
        string? error = ValidateSide("width", width);
        if (error is not null)
        {
            throw new ArgumentOutOfRangeException(nameof(width), error);
        }

        error = ValidateSide("height", height);
        if (error is not null)
        {
            throw new ArgumentOutOfRangeException(nameof(height), error);
        }

        return new ImageSize(width, height);
    }

    /// <summary>
    /// Null when <paramref name="value"/> is a valid image side, otherwise the reason, e.g.
    /// "width 1000 is not a multiple of 16" (for callers that report errors without exceptions).
    /// </summary>
    public static string? ValidateSide(string name, int value)
    {
        if (value <= 0 || value > MaxSide)
        {
            return string.Create(CultureInfo.InvariantCulture, $"{name} {value} is out of range: it must be between {FluxConstants.SizeMultiple} and {MaxSide} pixels");
        }

        return value % FluxConstants.SizeMultiple != 0
            ? string.Create(CultureInfo.InvariantCulture, $"{name} {value} is not a multiple of {FluxConstants.SizeMultiple}")
            : null;
    }

    /// <summary>Rows of the VAE latent: H/8.</summary>
    public int LatentHeight => Height / FluxConstants.VaeScaleFactor;

    /// <summary>Columns of the VAE latent: W/8.</summary>
    public int LatentWidth => Width / FluxConstants.VaeScaleFactor;

    /// <summary>Token rows of the packed sequence: H/16.</summary>
    public int TokenRows => Height / FluxConstants.SizeMultiple;

    /// <summary>Token columns of the packed sequence: W/16.</summary>
    public int TokenCols => Width / FluxConstants.SizeMultiple;

    /// <summary>Tokens per image, L = (H/16)(W/16).</summary>
    public int SequenceLength => TokenRows * TokenCols;

    /// <summary>Floats per image in the unpacked latent (16, H/8, W/8).</summary>
    public int LatentLength => FluxConstants.LatentChannels * LatentHeight * LatentWidth;

    /// <summary>Floats per image in the packed latent (L, 64); equal to <see cref="LatentLength"/>.</summary>
    public int PackedLength => SequenceLength * FluxConstants.PackedChannels;

    /// <inheritdoc/>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Width}x{Height}");
}
