using Flux.Core;
using Flux.Inference.Imaging;

namespace Flux.Cli.Commands;

/// <summary>
/// `--preview FILE`: the latent preview ((H/8) x (W/8), LatentPreview's linear map of the current x0 estimate) written
/// atomically in the file's format whenever the pipeline attaches one, so a viewer never reads half a file.
/// </summary>
internal sealed class PreviewFile(string path, ImageFormat format, ImageSize size)
{
    /// <summary>Rewrites the file when <paramref name="rgb"/> holds a preview; steps without one leave it as it is.</summary>
    public void Write(ReadOnlySpan<byte> rgb)
    {
        if (rgb.IsEmpty)
        {
            return;
        }

        AtomicFile.WriteAllBytes(path, ImageEncoding.Encode(rgb, size.LatentWidth, size.LatentHeight, [], format));
    }
}
