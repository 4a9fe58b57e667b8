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
        ValidateSide("width", width);
        ValidateSide("height", height);
        return new ImageSize(width, height);
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

    private static void ValidateSide(string name, int value)
    {
        if (value <= 0 || value > MaxSide)
        {
            throw new ArgumentOutOfRangeException(name,
                string.Create(CultureInfo.InvariantCulture, $"{name} {value} is out of range: it must be between {FluxConstants.SizeMultiple} and {MaxSide} pixels"));
        }

        if (value % FluxConstants.SizeMultiple != 0)
        {
            throw new ArgumentOutOfRangeException(name,
                string.Create(CultureInfo.InvariantCulture, $"{name} {value} is not a multiple of {FluxConstants.SizeMultiple}"));
        }
    }
}
