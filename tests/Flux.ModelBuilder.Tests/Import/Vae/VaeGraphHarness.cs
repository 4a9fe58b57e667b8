using Flux.ModelBuilder.Import.Vae;
using Flux.ModelBuilder.Onnx;

namespace Flux.ModelBuilder.Tests.Import.Vae;

/// <summary>Small autoencoder configs, their seeded checkpoints in either key layout, and ONNX Runtime runs of built graphs.</summary>
internal static class VaeGraphHarness
{
    public const string Bfl = "bfl";
    public const string Diffusers = "diffusers";

    /// <summary>
    /// "groups32": BFL's 32 groups, two channels per group at the 64-wide levels, three levels whose two narrow ones
    /// have the same width (so reversed up blocks fit each other's shapes and only the values tell them apart).
    /// "groups8": diffusers' norm_num_groups at 8, two ResnetBlocks per level.
    /// </summary>
    public static AutoencoderConfig Config(string name) => name switch
    {
        "groups32" => new() { InChannels = 3, Ch = 32, OutCh = 3, ChMult = [1, 2, 2], NumResBlocks = 1, ZChannels = 16, ScaleFactor = 0.3611, ShiftFactor = 0.1159 },
        "groups8" => new() { InChannels = 3, Ch = 16, OutCh = 3, ChMult = [1, 2], NumResBlocks = 2, ZChannels = 16, NormGroups = 8, ScaleFactor = 0.5, ShiftFactor = 0 },
        _ => throw new ArgumentException($"unknown test config '{name}'", nameof(name)),
    };

    /// <summary>A seeded BFL-named checkpoint (ae.safetensors layout) for <paramref name="config"/>.</summary>
    public static Dictionary<string, (float[] Values, long[] Shape)> BflCheckpoint(AutoencoderConfig config, int seed = 7) =>
        VaeTestParameters.RandomCheckpoint(BflAutoencoderLayout.Keys(config), seed);

    /// <summary>
    /// A parameter source over <paramref name="bflCheckpoint"/> in the given layout: BFL names read directly;
    /// diffusers names are written by the test's restatement of diffusers' conversion and read back through
    /// <see cref="AutoencoderKeys.FromDiffusers"/>.
    /// </summary>
    public static VaeTestParameters Source(Dictionary<string, (float[] Values, long[] Shape)> bflCheckpoint, string layout, int levels)
    {
        if (layout == Bfl)
        {
            return new VaeTestParameters(bflCheckpoint, (key, shape) => (key, shape));
        }

        var diffusersFile = bflCheckpoint.ToDictionary(
            kv => BflAutoencoderLayout.ToDiffusers(kv.Key, kv.Value.Shape, levels).Key,
            kv => (kv.Value.Values, BflAutoencoderLayout.ToDiffusers(kv.Key, kv.Value.Shape, levels).Shape),
            StringComparer.Ordinal);
        return new VaeTestParameters(diffusersFile, (key, shape) =>
        {
            var bfl = AutoencoderKeys.FromDiffusers(key, levels);
            return (bfl.Key, bfl.Shape(shape));
        });
    }

    /// <summary>Writes <paramref name="graph"/> and runs it on ONNX Runtime's CPU provider.</summary>
    public static float[] Run(BuiltGraph graph, string input, float[] values, long[] shape, string output)
    {
        using var dir = new TempDirectory();
        var path = dir.Sub("model.onnx");
        graph.Write(path);
        using var model = new OnnxModel(path);
        return model.Run(output, new Dictionary<string, OnnxModel.Input> { [input] = OnnxModel.Floats(values, shape) });
    }

    /// <summary>Uniform values in [-amplitude, amplitude] from <paramref name="seed"/>.</summary>
    public static float[] Uniform(int count, int seed, double amplitude = 1)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, count).Select(_ => (float)((random.NextDouble() * 2 - 1) * amplitude))];
    }

    /// <summary>fp32 agreement: every element within 1e-4 of the reference's largest magnitude (plus 1e-5).</summary>
    public static void AssertClose(float[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        var scale = expected.Max(Math.Abs);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-4f * scale + 1e-5f, $"{what} element {i}: reference {expected[i]}, ONNX {actual[i]} (scale {scale})");
        }
    }
}
