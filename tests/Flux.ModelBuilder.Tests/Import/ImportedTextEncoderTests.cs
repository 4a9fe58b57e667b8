using Flux.ModelBuilder.Import;
using Flux.ModelBuilder.Import.Text;
using Flux.ModelBuilder.Tests.Import.Text;
using Flux.Tests.Shared;

namespace Flux.ModelBuilder.Tests.Import;

/// <summary>The imported text encoders against the loop-by-loop restatements of modeling_clip.py and modeling_t5.py, fed the checkpoint's values.</summary>
public sealed class ImportedTextEncoderTests
{
    [Fact]
    public void ImportedClipAndT5_MatchTransformersRestatements_OnTheCheckpointWeights()
    {
        using var dir = new TempDirectory();
        var source = new ImportSource(dir.Path, new SmallFlux(Dev: false));
        ModelImporter.Import(new ImportRequest { Source = source.Root, Output = dir.Sub("out"), T5MaxLength = 8 });

        long[] clipIds = [.. Enumerable.Range(0, 77).Select(i => i switch { 0 => 49406L, 1 => 320, 2 => 1929, 3 => 49407, _ => 49407 })];
        var clipConfig = ClipTextConfig.Read(Path.Combine(source.Root, "text_encoder", "config.json"));
        var (hidden, pooled) = ClipTextReference.Forward(clipConfig, name => source.Clip[name], clipIds, 1);
        using (var clip = new OnnxModel(dir.Sub("out/text_encoder/model.onnx")))
        {
            var input = new Dictionary<string, OnnxModel.Input> { ["input_ids"] = OnnxModel.Int64s(clipIds, 1, 77) };
            AssertClose(hidden, clip.Run("last_hidden_state", input));
            AssertClose(pooled, clip.Run("pooler_output", input));
        }

        long[] t5Ids = [71, 1712, 3, 9, 1, 0, 0, 0];
        var t5Config = T5Config.Read(Path.Combine(source.Root, "text_encoder_2", "config.json"));
        var expected = T5EncoderReference.Forward(t5Config, name => source.T5[name], "shared.weight", t5Ids, 1, t5Ids.Length);
        using var t5 = new OnnxModel(dir.Sub("out/text_encoder_2/model.onnx"));
        AssertClose(expected, t5.Run("last_hidden_state", new Dictionary<string, OnnxModel.Input> { ["input_ids"] = OnnxModel.Int64s(t5Ids, 1, t5Ids.Length) }));
    }

    private static void AssertClose(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        var scale = expected.Max(Math.Abs);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-4f * scale, $"element {i}: transformers restatement {expected[i]}, imported graph {actual[i]}");
        }
    }
}
