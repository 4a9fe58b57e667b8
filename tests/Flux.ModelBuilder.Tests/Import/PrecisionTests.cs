using Flux.Core;
using Flux.ModelBuilder.Import;
using Flux.Tests.Shared;

namespace Flux.ModelBuilder.Tests.Import;

public sealed class PrecisionTests
{
    [Theory]
    [InlineData(WeightPrecision.Fp16)]
    [InlineData(WeightPrecision.Bf16)]
    public void HalfPrecisionWeights_HalveTheFile_AndStayCloseToFp32(WeightPrecision precision)
    {
        using var dir = new TempDirectory();
        var source = new ImportSource(dir.Path, new SmallFlux(Dev: false), dtype: "F32");
        ModelImporter.Import(new ImportRequest { Source = source.Root, Output = dir.Sub("fp32"), T5MaxLength = 8 });
        var manifest = ModelImporter.Import(new ImportRequest { Source = source.Root, Output = dir.Sub("half"), T5MaxLength = 8, Precision = precision });

        Assert.Equal(precision.ToString().ToLowerInvariant(), manifest.Precision);
        var fullBytes = new FileInfo(dir.Sub("fp32/transformer/model.onnx.data")).Length;
        var halfBytes = new FileInfo(dir.Sub("half/transformer/model.onnx.data")).Length;
        Assert.InRange(halfBytes, fullBytes * 0.4, fullBytes * 0.6); // each tensor is 4096-byte aligned, which the small test tensors feel
        var half = global::Onnx.ModelProto.Parser.ParseFrom(File.ReadAllBytes(dir.Sub("half/transformer/model.onnx")));
        var stored = precision == WeightPrecision.Fp16 ? global::Onnx.TensorProto.Types.DataType.Float16 : global::Onnx.TensorProto.Types.DataType.Bfloat16;
        Assert.All(half.Graph.Initializer.Where(t => t.Name.EndsWith(".weight", StringComparison.Ordinal)), t => Assert.Equal((int)stored, t.DataType));

        var expected = Run(dir.Sub("fp32/transformer/model.onnx"));
        var actual = Run(dir.Sub("half/transformer/model.onnx"));
        Assert.All(actual, v => Assert.True(float.IsFinite(v)));
        var scale = expected.Max(Math.Abs);
        var worst = expected.Zip(actual, (e, a) => Math.Abs(e - a)).Max();
        // fp16 keeps 11 significant bits, bf16 8: weights rounded by 2^-11 / 2^-8 relative.
        Assert.InRange(worst, 1e-7f * scale, (precision == WeightPrecision.Fp16 ? 5e-3f : 4e-2f) * scale);
    }

    /// <summary>
    /// A half-precision linear weight is transposed before it is widened (Cast(Transpose(W)), not Transpose(Cast(W))):
    /// ONNX Runtime folds both at session creation and frees the intermediate only afterwards, so the other order
    /// held a second fp32 copy of every weight while the session was built (docs/benchmarks.md, "Import (issue 12)":
    /// peak 9.2 GB against 4.9 GB for fp32 on a 2 GB checkpoint).
    /// </summary>
    [Theory]
    [InlineData(WeightPrecision.Fp16)]
    [InlineData(WeightPrecision.Bf16)]
    public void HalfPrecisionLinearWeights_AreTransposedBeforeTheCast(WeightPrecision precision)
    {
        using var dir = new TempDirectory();
        var source = new ImportSource(dir.Path, new SmallFlux(Dev: false), dtype: "F32");
        ModelImporter.Import(new ImportRequest { Source = source.Root, Output = dir.Sub("half"), T5MaxLength = 8, Precision = precision });
        var graph = global::Onnx.ModelProto.Parser.ParseFrom(File.ReadAllBytes(dir.Sub("half/transformer/model.onnx"))).Graph;
        var producers = graph.Node.SelectMany(n => n.Output.Select(o => (Output: o, Node: n))).ToDictionary(p => p.Output, p => p.Node);
        var halfWeights = graph.Initializer.Where(t => t.Name.EndsWith(".weight", StringComparison.Ordinal)).Select(t => t.Name).ToHashSet();
        var transposes = graph.Node.Where(n => n.OpType == "Transpose").ToList();

        Assert.DoesNotContain(transposes, t => producers.TryGetValue(t.Input[0], out var p) && p.OpType == "Cast");
        var ofWeights = transposes.Where(t => halfWeights.Contains(t.Input[0])).ToList();
        Assert.NotEmpty(ofWeights);
        Assert.All(ofWeights, t => Assert.Contains(graph.Node, n => n.OpType == "Cast" && n.Input[0] == t.Output[0]));
    }

    [Fact]
    public void WeightBeyondFp16Range_IsAnErrorAtFp16_AndNoPackage()
    {
        using var dir = new TempDirectory();
        var source = new ImportSource(dir.Path, new SmallFlux(Dev: false), dtype: "F32");
        source.Bfl["img_in.weight"].Values[5] = 1e5f;
        var file = dir.Sub("large.safetensors");
        SafeTensorsWriter.Write(file, FluxCheckpoints.AsTensors(source.Bfl, "F32"));

        var error = Assert.Throws<ImportException>(() => ModelImporter.Import(new ImportRequest
        {
            Source = source.Root, Output = dir.Sub("out"), TransformerFile = file, T5MaxLength = 8, Precision = WeightPrecision.Fp16,
        }));
        Assert.Contains("weight 'img_in.weight' holds 100000, beyond fp16's range", error.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(dir.Sub("out")));
        Assert.Empty(Directory.GetDirectories(dir.Path, ".out.*"));
        ModelImporter.Import(new ImportRequest { Source = source.Root, Output = dir.Sub("out"), TransformerFile = file, T5MaxLength = 8, Precision = WeightPrecision.Bf16 });
    }

    private static float[] Run(string path)
    {
        var size = ImageSize.Create(32, 32);
        var random = new Random(2);
        float[] Values(int n) => [.. Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() * 2 - 1))];
        var sizes = new SmallFlux(Dev: false);
        using var model = new OnnxModel(path);
        return model.Run("latent", new Dictionary<string, OnnxModel.Input>
        {
            ["hidden_states"] = OnnxModel.Floats(Values(size.PackedLength), 1, size.SequenceLength, 64),
            ["encoder_hidden_states"] = OnnxModel.Floats(Values(8 * sizes.Context), 1, 8, sizes.Context),
            ["pooled_projections"] = OnnxModel.Floats(Values(sizes.Pooled), 1, sizes.Pooled),
            ["timestep"] = OnnxModel.Floats([0.5f], 1),
            ["img_ids"] = OnnxModel.Floats(LatentLayout.ImageIds(size), size.SequenceLength, 3),
            ["txt_ids"] = OnnxModel.Floats(new float[8 * 3], 8, 3),
        });
    }
}
