using Flux.Core;
using Flux.ModelBuilder.Packages;
using Flux.Inference.Text;

namespace Flux.ModelBuilder.Tests;

/// <summary>
/// Runs the reference package's graphs directly on ONNX Runtime: the keyword encoder, the velocity
/// field as an <see cref="IVelocityModel"/>, and the VAE decoder.
/// </summary>
public sealed class ReferenceModel : IVelocityModel, IDisposable
{
    private const int ClipLength = 77;
    private const int TextLength = 256;
    private const int T5Width = 8;
    private readonly OnnxModel _clip;
    private readonly OnnxModel _transformer;
    private readonly OnnxModel _vae;
    private readonly ClipTokenizer _tokenizer;
    private float[] _pooled = new float[768];

    public ReferenceModel(string directory)
    {
        _clip = new OnnxModel(Path.Combine(directory, "text_encoder/model.onnx"));
        _transformer = new OnnxModel(Path.Combine(directory, "transformer/model.onnx"));
        _vae = new OnnxModel(Path.Combine(directory, "vae_decoder/model.onnx"));
        _tokenizer = ClipTokenizer.FromFiles(Path.Combine(directory, "tokenizer/vocab.json"), Path.Combine(directory, "tokenizer/merges.txt"));
    }

    public static ImageSize Size => ReferencePackage.Size;

    public float[] Pooled(string prompt) =>
        _clip.Run("pooler_output", new Dictionary<string, OnnxModel.Input> { ["input_ids"] = OnnxModel.Int64s(_tokenizer.Encode(prompt), 1, ClipLength) });

    public void UsePrompt(string prompt) => _pooled = Pooled(prompt);

    public void Evaluate(ReadOnlySpan<float> x, float t, Span<float> velocity)
    {
        var batch = x.Length / Size.PackedLength;
        var inputs = new Dictionary<string, OnnxModel.Input>
        {
            ["hidden_states"] = OnnxModel.Floats(x.ToArray(), batch, Size.SequenceLength, FluxConstants.PackedChannels),
            ["encoder_hidden_states"] = OnnxModel.Floats(new float[batch * TextLength * T5Width], batch, TextLength, T5Width),
            ["pooled_projections"] = OnnxModel.Floats([.. Enumerable.Repeat(_pooled, batch).SelectMany(p => p)], batch, 768),
            ["timestep"] = OnnxModel.Floats(Enumerable.Repeat(t, batch).ToArray(), batch),
            ["img_ids"] = OnnxModel.Floats(LatentLayout.ImageIds(Size), Size.SequenceLength, 3),
            ["txt_ids"] = OnnxModel.Floats(LatentLayout.TextIds(TextLength), TextLength, 3),
        };
        _transformer.Run("latent", inputs).CopyTo(velocity);
    }

    /// <summary>The pipeline's decode of a packed model latent: unpack, z / scale + shift, VAE. -> (3, H, W).</summary>
    public float[] DecodePacked(ReadOnlySpan<float> packed)
    {
        var latent = new float[Size.LatentLength];
        LatentLayout.Unpack(packed, latent, Size);
        VaeScaling.ToDecoderInput(latent, latent, FluxConstants.VaeScalingFactor, FluxConstants.VaeShiftFactor);
        return Decode(latent);
    }

    /// <summary>The VAE decoder on a (16, H/8, W/8) decoder-space latent.</summary>
    public float[] Decode(float[] latent) =>
        _vae.Run("sample", new Dictionary<string, OnnxModel.Input> { ["latent_sample"] = OnnxModel.Floats(latent, 1, 16, Size.LatentHeight, Size.LatentWidth) });

    /// <summary>PSNR in dB of two [-1, 1] images after the pipeline's 8-bit conversion clamp((x + 1) * 127.5).</summary>
    public static double Psnr(float[] a, float[] b)
    {
        double squared = 0;
        for (var i = 0; i < a.Length; i++)
        {
            var diff = Pixel(a[i]) - Pixel(b[i]);
            squared += diff * diff;
        }

        var mse = squared / a.Length;
        return mse == 0 ? double.PositiveInfinity : 10 * Math.Log10(255.0 * 255.0 / mse);
    }

    public void Dispose()
    {
        _clip.Dispose();
        _transformer.Dispose();
        _vae.Dispose();
    }

    private static double Pixel(float x) => Math.Round(Math.Clamp((x + 1) * 127.5, 0, 255));
}
