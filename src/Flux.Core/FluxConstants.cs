namespace Flux.Core;

/// <summary>Fixed numbers of the FLUX.1 latent space (DESIGN section 3), each named for its meaning.</summary>
public static class FluxConstants
{
    /// <summary>Channels of the VAE latent.</summary>
    public const int LatentChannels = 16;

    /// <summary>Side of the square latent patch that becomes one transformer token (ph = pw = 2).</summary>
    public const int PatchSize = 2;

    /// <summary>Pixels per latent cell along each axis (the VAE downsamples by 8).</summary>
    public const int VaeScaleFactor = 8;

    /// <summary>Values per packed token: LatentChannels * PatchSize * PatchSize.</summary>
    public const int PackedChannels = LatentChannels * PatchSize * PatchSize;

    /// <summary>Axes of a position id: [index, row, col].</summary>
    public const int PositionAxes = 3;

    /// <summary>Pixels per token along each axis; image sides must be multiples of it.</summary>
    public const int SizeMultiple = VaeScaleFactor * PatchSize;

    /// <summary>VAE latent scaling factor of FLUX.1 (diffusers <c>scaling_factor</c>).</summary>
    public const float VaeScalingFactor = 0.3611f;

    /// <summary>VAE latent shift factor of FLUX.1 (diffusers <c>shift_factor</c>).</summary>
    public const float VaeShiftFactor = 0.1159f;
}
