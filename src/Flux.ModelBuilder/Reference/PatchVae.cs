using Flux.Core;
using Flux.ModelBuilder.Onnx;
using Onnx;
using static Onnx.TensorProto.Types;

namespace Flux.ModelBuilder.Reference;

/// <summary>
/// The reference package's "VAE": a fixed linear map from the 16 latent channels of one cell to its
/// 8x8x3 pixel patch, D = Gain * A, where A's columns are orthonormal low-frequency 2-D DCT basis
/// functions times an orthonormal colour basis (luminance: 8 frequencies; two opponent colour axes:
/// 4 each). A^T A = I, so D is perfectly conditioned and its least-squares inverse is D^T / Gain^2.
/// </summary>
public static class PatchVae
{
    /// <summary>Scale of the basis, chosen so a flat colour patch has latent values of order one.</summary>
    public const double Gain = 8;

    private const int Cell = FluxConstants.VaeScaleFactor;
    private const int PatchValues = 3 * Cell * Cell; // 192

    private static readonly double[][] ColourBasis =
    [
        [1 / Math.Sqrt(3), 1 / Math.Sqrt(3), 1 / Math.Sqrt(3)],
        [1 / Math.Sqrt(2), -1 / Math.Sqrt(2), 0],
        [1 / Math.Sqrt(6), 1 / Math.Sqrt(6), -2 / Math.Sqrt(6)],
    ];

    /// <summary>Latent channel -> (colour axis, vertical frequency, horizontal frequency).</summary>
    private static readonly (int Colour, int U, int V)[] Channels =
    [
        (0, 0, 0), (0, 0, 1), (0, 1, 0), (0, 1, 1), (0, 0, 2), (0, 2, 0), (0, 1, 2), (0, 2, 1),
        (1, 0, 0), (1, 0, 1), (1, 1, 0), (1, 1, 1),
        (2, 0, 0), (2, 0, 1), (2, 1, 0), (2, 1, 1),
    ];

    /// <summary>D as (192, 16): row c*64 + i*8 + j (colour, patch row, patch column), one column per channel.</summary>
    public static float[] DecoderMatrix { get; } = BuildDecoderMatrix();

    /// <summary>Least-squares encoder E(img): (3, H, W) pixels in [-1, 1] -> (16, H/8, W/8) latent.</summary>
    public static float[] Encode(ReadOnlySpan<float> image, ImageSize size)
    {
        var latent = new float[size.LatentLength];
        var inverseGainSquared = 1.0 / (Gain * Gain);
        for (var cy = 0; cy < size.LatentHeight; cy++)
        {
            for (var cx = 0; cx < size.LatentWidth; cx++)
            {
                for (var ch = 0; ch < FluxConstants.LatentChannels; ch++)
                {
                    double sum = 0;
                    for (var p = 0; p < PatchValues; p++)
                    {
                        sum += DecoderMatrix[p * FluxConstants.LatentChannels + ch] * image[PixelIndex(size, p, cy, cx)];
                    }

                    latent[(ch * size.LatentHeight + cy) * size.LatentWidth + cx] = (float)(sum * inverseGainSquared);
                }
            }
        }

        return latent;
    }

    /// <summary>
    /// The encoder E as ONNX, sample (B, 3, H, W) -> latent_sample (B, 16, H/8, W/8): SpaceToDepth(8), then a 1x1
    /// convolution with D^T / Gain^2. SpaceToDepth orders a patch's values (i, j, colour), the decoder's DepthToSpace
    /// (colour, i, j), so the weight's columns are D's rows in that order. E(D(z)) = z for every z (A^T A = I), and
    /// D(E(x)) = x for images in D's range.
    /// </summary>
    public static ModelProto BuildEncoderGraph()
    {
        var g = new GraphBuilder("patch_vae_encoder", new WeightSource(0));
        var image = g.Input("sample", DataType.Float, "B", 3, "H", "W");
        var weight = g.Parameter("encoder.patch.weight", EncoderMatrix(), FluxConstants.LatentChannels, PatchValues, 1, 1);
        var patches = g.Op("SpaceToDepth", [image], Attr.Int("blocksize", Cell)); // (B, 192, h, w), channel (i*8 + j)*3 + c
        var latent = g.Op("Conv", [patches, weight]); // (B, 16, h, w)
        g.Output(latent, "latent_sample", DataType.Float, "B", FluxConstants.LatentChannels, "h", "w");
        return OnnxFileWriter.ToModel(g, "Exact inverse (least squares) of the fixed linear 8x8-patch decoder, not a trained VAE.");
    }

    /// <summary>The decoder as ONNX: 1x1 convolution (16 -> 192), DepthToSpace(8), clip to [-1, 1].</summary>
    public static ModelProto BuildDecoderGraph()
    {
        var g = new GraphBuilder("patch_vae_decoder", new WeightSource(0));
        var latent = g.Input("latent_sample", DataType.Float, "B", FluxConstants.LatentChannels, "h", "w");
        var weight = g.Parameter("decoder.patch.weight", DecoderMatrix, PatchValues, FluxConstants.LatentChannels, 1, 1);
        var patches = g.Op("Conv", [latent, weight]); // (B, 192, h, w), channel c*64 + i*8 + j
        var pixels = g.Op("DepthToSpace", [patches], Attr.Int("blocksize", Cell), Attr.Text("mode", "CRD")); // (B, 3, 8h, 8w)
        var clipped = g.Op("Clip", [pixels, g.Scalar(-1f), g.Scalar(1f)]);
        g.Output(clipped, "sample", DataType.Float, "B", 3, "H", "W");
        return OnnxFileWriter.ToModel(g, "Fixed linear 8x8-patch decoder (DCT basis), not a trained VAE.");
    }

    private static int PixelIndex(ImageSize size, int patchValue, int cy, int cx)
    {
        var c = patchValue / (Cell * Cell);
        var i = patchValue / Cell % Cell;
        var j = patchValue % Cell;
        return (c * size.Height + cy * Cell + i) * size.Width + cx * Cell + j;
    }

    /// <summary>(16, 192): row ch, column (i*8 + j)*3 + c (SpaceToDepth's order) = D[c*64 + i*8 + j, ch] / Gain^2.</summary>
    private static float[] EncoderMatrix()
    {
        var matrix = new float[FluxConstants.LatentChannels * PatchValues];
        for (var ch = 0; ch < FluxConstants.LatentChannels; ch++)
        {
            for (var p = 0; p < PatchValues; p++)
            {
                int c = p / (Cell * Cell), ij = p % (Cell * Cell);
                matrix[(ch * PatchValues) + (ij * 3) + c] = (float)(DecoderMatrix[(p * FluxConstants.LatentChannels) + ch] / (Gain * Gain));
            }
        }

        return matrix;
    }

    private static float[] BuildDecoderMatrix()
    {
        var matrix = new float[PatchValues * FluxConstants.LatentChannels];
        for (var ch = 0; ch < Channels.Length; ch++)
        {
            var (colour, u, v) = Channels[ch];
            for (var c = 0; c < 3; c++)
            {
                for (var i = 0; i < Cell; i++)
                {
                    for (var j = 0; j < Cell; j++)
                    {
                        var value = Gain * ColourBasis[colour][c] * Dct(u, i) * Dct(v, j);
                        matrix[(c * Cell * Cell + i * Cell + j) * FluxConstants.LatentChannels + ch] = (float)value;
                    }
                }
            }
        }

        return matrix;
    }

    /// <summary>Orthonormal DCT-II basis function u at sample n of 8.</summary>
    private static double Dct(int u, int n) =>
        (u == 0 ? Math.Sqrt(1.0 / Cell) : Math.Sqrt(2.0 / Cell)) * Math.Cos(Math.PI * (2 * n + 1) * u / (2.0 * Cell));
}
