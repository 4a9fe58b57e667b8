using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Flux.ModelBuilder.Tests;

[Collection(PackagesCollection.Name)]
public sealed class PackageContractTests(PackagesFixture packages)
{
    private static readonly string[] ModelFiles =
        ["text_encoder/model.onnx", "text_encoder_2/model.onnx", "transformer/model.onnx", "vae_decoder/model.onnx", "vae_encoder/model.onnx"];

    public static TheoryData<string> PackageNames => new() { "tiny", "tiny-dev", "tiny-optimum", "reference" };

    [Theory]
    [MemberData(nameof(PackageNames))]
    public void EveryPackage_HasTheDiffusersLayoutAndManifest(string name)
    {
        var dir = PathOf(name);
        foreach (var file in ModelFiles.Concat(["model_index.json", "flux.json", "README.md", "tokenizer/vocab.json", "tokenizer/merges.txt", "tokenizer_2/spiece.model"]))
        {
            Assert.True(File.Exists(Path.Combine(dir, file)), $"{name} lacks {file}");
        }

        using var index = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "model_index.json")));
        Assert.Equal("FluxPipeline", index.RootElement.GetProperty("_class_name").GetString());
        using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "flux.json")));
        var m = manifest.RootElement;
        Assert.Equal(name == "tiny-dev" ? "dev" : "schnell", m.GetProperty("variant").GetString());
        Assert.Equal(0.3611f, m.GetProperty("vaeScale").GetSingle());
        Assert.Equal(0.1159f, m.GetProperty("vaeShift").GetSingle());
        Assert.Equal(name == "reference" ? "reference" : "tiny", m.GetProperty("kind").GetString());
        Assert.Equal(name == "tiny-optimum" ? "out_hidden_states" : "latent", m.GetProperty("transformerOutput").GetString());
        Assert.Equal(name == "reference", m.TryGetProperty("width", out _));
    }

    [Theory]
    [MemberData(nameof(PackageNames))]
    public void EveryModelFile_LoadsInOnnxRuntime_WithTheFluxInputAndOutputNames(string name)
    {
        var dir = PathOf(name);
        var t5Length = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "flux.json"))).RootElement.GetProperty("t5MaxLength").GetInt32();
        using (var clip = new OnnxModel(Path.Combine(dir, ModelFiles[0])))
        {
            AssertIo(clip.Session.InputMetadata, ("input_ids", TensorElementType.Int64, [-1, 77]));
            AssertIo(clip.Session.OutputMetadata, ("last_hidden_state", TensorElementType.Float, [-1, 77, -2]), ("pooler_output", TensorElementType.Float, [-1, 768]));
        }

        using (var t5 = new OnnxModel(Path.Combine(dir, ModelFiles[1])))
        {
            AssertIo(t5.Session.InputMetadata, ("input_ids", TensorElementType.Int64, [-1, t5Length]));
            AssertIo(t5.Session.OutputMetadata, ("last_hidden_state", TensorElementType.Float, [-1, t5Length, -2]));
        }

        using (var transformer = new OnnxModel(Path.Combine(dir, ModelFiles[2])))
        {
            long tokens = name == "reference" ? 256 : -1;
            var inputs = new List<(string, TensorElementType, long[])>
            {
                ("hidden_states", TensorElementType.Float, [-1, tokens, 64]),
                ("encoder_hidden_states", TensorElementType.Float, [-1, t5Length, -2]),
                ("pooled_projections", TensorElementType.Float, [-1, 768]),
                ("timestep", TensorElementType.Float, [-1]),
                ("img_ids", TensorElementType.Float, [tokens, 3]),
                ("txt_ids", TensorElementType.Float, [t5Length, 3]),
            };
            if (name == "tiny-dev")
            {
                inputs.Add(("guidance", TensorElementType.Float, [-1]));
            }

            AssertIo(transformer.Session.InputMetadata, [.. inputs]);
            var output = name == "tiny-optimum" ? "out_hidden_states" : "latent";
            AssertIo(transformer.Session.OutputMetadata, (output, TensorElementType.Float, [-1, tokens, 64]));
        }

        using var vae = new OnnxModel(Path.Combine(dir, ModelFiles[3]));
        AssertIo(vae.Session.InputMetadata, ("latent_sample", TensorElementType.Float, [-1, 16, -1, -1]));
        AssertIo(vae.Session.OutputMetadata, ("sample", TensorElementType.Float, [-1, 3, -1, -1]));
    }

    [Fact]
    public void EncoderWidths_AreConsistentBetweenSessions()
    {
        // The T5 output width is the transformer's context width; the pipeline cross-checks them from metadata.
        foreach (var dir in new[] { packages.Tiny, packages.TinyDev, packages.Reference })
        {
            using var t5 = new OnnxModel(Path.Combine(dir, ModelFiles[1]));
            using var transformer = new OnnxModel(Path.Combine(dir, ModelFiles[2]));
            Assert.Equal(t5.Session.OutputMetadata["last_hidden_state"].Dimensions[2], transformer.Session.InputMetadata["encoder_hidden_states"].Dimensions[2]);
        }
    }

    /// <summary>Expected dims: a value, -1 for a symbolic (dynamic) axis, -2 for "any fixed width".</summary>
    private static void AssertIo(IReadOnlyDictionary<string, NodeMetadata> actual, params (string Name, TensorElementType Type, long[] Dims)[] expected)
    {
        Assert.Equal(expected.Select(e => e.Name).Order(), actual.Keys.Order());
        foreach (var (name, type, dims) in expected)
        {
            var meta = actual[name];
            Assert.Equal(type, meta.ElementDataType);
            Assert.Equal(dims.Length, meta.Dimensions.Length);
            for (var i = 0; i < dims.Length; i++)
            {
                if (dims[i] == -1)
                {
                    Assert.False(string.IsNullOrEmpty(meta.SymbolicDimensions[i]), $"{name} axis {i} should be dynamic");
                }
                else if (dims[i] == -2)
                {
                    Assert.True(meta.Dimensions[i] > 0, $"{name} axis {i} should be a fixed width");
                }
                else
                {
                    Assert.Equal(dims[i], meta.Dimensions[i]);
                }
            }
        }
    }

    private string PathOf(string name) => name switch
    {
        "tiny" => packages.Tiny,
        "tiny-dev" => packages.TinyDev,
        "tiny-optimum" => packages.TinyOptimum,
        _ => packages.Reference,
    };
}
