using Flux.ModelBuilder.Import.Vae;
using Flux.ModelBuilder.Onnx;

namespace Flux.Tests.Shared;

/// <summary>
/// A small diffusers AutoencoderKL folder for the import tests (CLI, service, benchmark): the key names and shapes are those the
/// AutoEncoder graphs ask for (BFL names, checked against BFL's autoencoder.py in Flux.ModelBuilder.Tests), renamed
/// to diffusers' by <see cref="AutoencoderKeys.ToDiffusers"/>, with seeded random values.
/// </summary>
internal static class VaeTestCheckpoint
{
    private static readonly AutoencoderConfig Config = new()
    {
        InChannels = 3, Ch = 32, OutCh = 3, ChMult = [1, 1, 1, 1], NumResBlocks = 1, ZChannels = 16, ScaleFactor = 0.3611, ShiftFactor = 0.1159,
    };

    public static void WriteDiffusers(string folder, int seed)
    {
        Directory.CreateDirectory(folder);
        var recorder = new ShapeRecorder();
        AutoencoderGraphs.BuildDecoder(Config, recorder);
        AutoencoderGraphs.BuildEncoder(Config, recorder);
        var levels = Config.ChMult.Count;
        var random = new Random(seed);
        var tensors = recorder.Shapes.OrderBy(k => k.Key, StringComparer.Ordinal).Select(kv =>
        {
            var shape = AutoencoderKeys.IsAttentionProjectionWeight(kv.Key) ? kv.Value[..2] : kv.Value; // diffusers: Linear (C, C)
            var count = (int)shape.Aggregate(1L, (p, d) => p * d);
            var isNormScale = kv.Key.Contains("norm", StringComparison.Ordinal) && kv.Key.EndsWith(".weight", StringComparison.Ordinal);
            var bound = shape.Length > 1 ? 1.0 / Math.Sqrt(shape.Skip(1).Aggregate(1L, (p, d) => p * d)) : 0.1;
            float[] values = [.. Enumerable.Range(0, count).Select(_ => (float)((random.NextDouble() * 2 - 1) * bound) + (isNormScale ? 1f : 0f))];
            return new TestTensor(AutoencoderKeys.ToDiffusers(kv.Key, levels), shape, values);
        });
        SafeTensorsWriter.Write(Path.Combine(folder, "diffusion_pytorch_model.safetensors"), tensors);
        File.WriteAllText(Path.Combine(folder, "config.json"), $$"""
            {"_class_name": "AutoencoderKL", "act_fn": "silu", "block_out_channels": [32, 32, 32, 32],
             "down_block_types": ["DownEncoderBlock2D", "DownEncoderBlock2D", "DownEncoderBlock2D", "DownEncoderBlock2D"],
             "up_block_types": ["UpDecoderBlock2D", "UpDecoderBlock2D", "UpDecoderBlock2D", "UpDecoderBlock2D"],
             "in_channels": 3, "out_channels": 3, "latent_channels": 16, "layers_per_block": 1, "norm_num_groups": 32,
             "sample_size": 1024, "scaling_factor": 0.3611, "shift_factor": 0.1159, "use_quant_conv": false, "use_post_quant_conv": false}
            """);
    }

    /// <summary>Records each parameter's name and shape; the graph gets zeros it never runs.</summary>
    private sealed class ShapeRecorder : IParameterSource
    {
        public Dictionary<string, long[]> Shapes { get; } = new(StringComparer.Ordinal);

        public string Add(GraphBuilder g, string name, ParameterInit init, long[] shape)
        {
            Shapes[name] = shape;
            return g.Parameter(name, new float[shape.Aggregate(1L, (p, d) => p * d)], shape);
        }

        public ITensorData Values(string name, ParameterInit init, long[] shape) => throw new NotSupportedException("the AutoEncoder quantizes nothing");

        public string AddDerived(GraphBuilder g, string name, ITensorData data) => throw new NotSupportedException("the AutoEncoder quantizes nothing");
    }
}
