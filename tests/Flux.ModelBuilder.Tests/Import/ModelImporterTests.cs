using Flux.Tests.Shared;
using Flux.ModelBuilder.Import;
using Flux.ModelBuilder.Packages;

namespace Flux.ModelBuilder.Tests.Import;

public sealed class ModelImporterTests
{
    [Fact]
    public void Import_WritesTheLayoutAndManifest_AndTheSameInputsGiveTheSameBytes()
    {
        using var dir = new TempDirectory();
        var source = new ImportSource(dir.Path, new SmallFlux(Dev: true));
        var first = ModelImporter.Import(new ImportRequest { Source = source.Root, Output = dir.Sub("a"), T5MaxLength = 8 });
        ModelImporter.Import(new ImportRequest { Source = source.Root, Output = dir.Sub("b"), T5MaxLength = 8 });

        Assert.Equal(("dev", 8, 50, "dynamic"), (first.Variant, first.T5MaxLength, first.DefaultSteps, first.Shift));
        Assert.Contains(first.Sources, s => s.File.StartsWith("transformer/diffusion_pytorch_model-00001-of-", StringComparison.Ordinal) && s.Sha256.Length == 64);
        Assert.Contains(first.Sources, s => s.File == "tokenizer_2/spiece.model");
        var a = PackageDirectory.Files(dir.Sub("a"));
        Assert.Equal(a, PackageDirectory.Files(dir.Sub("b")));
        Assert.Contains(a, f => f.Path == "transformer/model.onnx.data");
        foreach (var (path, _) in a)
        {
            Assert.Equal(File.ReadAllBytes(Path.Combine(dir.Sub("a"), path)), File.ReadAllBytes(Path.Combine(dir.Sub("b"), path)));
        }
    }

    /// <summary>flux.json as the issue lists it (variant, T5 length, defaults, VAE scale/shift from the config, provenance), read back by the loader; tokenizers copied byte for byte.</summary>
    [Theory]
    [InlineData(false, "schnell", 256, 4, 0, "none")]
    [InlineData(true, "dev", 512, 50, 3.5, "dynamic")]
    public void Manifest_RecordsVariantLengthDefaultsVaeFactorsAndEveryInputsSizeAndSha256(bool dev, string variant, int t5, int steps, double guidance, string shift)
    {
        using var dir = new TempDirectory();
        var source = new ImportSource(dir.Path, new SmallFlux(dev));
        var vaeConfig = Path.Combine(source.Root, "vae", "config.json");   // factors other than FLUX's defaults, so they must come from the file
        File.WriteAllText(vaeConfig, File.ReadAllText(vaeConfig).Replace("\"scaling_factor\":0.3611", "\"scaling_factor\":0.5", StringComparison.Ordinal).Replace("\"shift_factor\":0.1159", "\"shift_factor\":-0.25", StringComparison.Ordinal));
        var package = dir.Sub("out");

        ModelImporter.Import(new ImportRequest { Source = source.Root, Output = package, TransformerFile = source.BflFile });

        using var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(package, "flux.json")));
        var root = json.RootElement;
        Assert.Equal((variant, t5, steps, guidance, shift), (root.GetProperty("variant").GetString(), root.GetProperty("t5MaxLength").GetInt32(),
            root.GetProperty("defaultSteps").GetInt32(), root.GetProperty("defaultGuidance").GetDouble(), root.GetProperty("shift").GetString()));
        Assert.Equal((0.5, -0.25), (root.GetProperty("vaeScale").GetDouble(), root.GetProperty("vaeShift").GetDouble()));
        Assert.Equal(("fp32", "none"), (root.GetProperty("precision").GetString(), root.GetProperty("quantize").GetString()));

        var sources = root.GetProperty("sources").EnumerateArray().ToDictionary(e => e.GetProperty("file").GetString()!, e => (Bytes: e.GetProperty("bytes").GetInt64(), Sha: e.GetProperty("sha256").GetString()!));
        var expectedFiles = new[] { Path.GetFileName(source.BflFile), "tokenizer/vocab.json", "tokenizer/merges.txt", "tokenizer_2/spiece.model",
            "text_encoder/config.json", "text_encoder/model.safetensors", "text_encoder_2/config.json", "vae/config.json", "vae/diffusion_pytorch_model.safetensors" };
        foreach (var file in expectedFiles)
        {
            var path = file == Path.GetFileName(source.BflFile) ? source.BflFile : Path.Combine(source.Root, file);
            Assert.True(sources.TryGetValue(file, out var recorded), $"flux.json sources lack {file}: {string.Join(", ", sources.Keys)}");
            Assert.Equal((new FileInfo(path).Length, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(path)))), recorded);
        }

        Assert.Contains(sources.Keys, f => f.StartsWith("text_encoder_2/model-00001-of-", StringComparison.Ordinal));
        Assert.DoesNotContain(sources.Keys, f => f.StartsWith("transformer/", StringComparison.Ordinal));   // BFL's file replaced the folder
        foreach (var tokenizer in new[] { "tokenizer/vocab.json", "tokenizer/merges.txt", "tokenizer_2/spiece.model" })
        {
            Assert.Equal(File.ReadAllBytes(Path.Combine(source.Root, tokenizer)), File.ReadAllBytes(Path.Combine(package, tokenizer)));
        }

        using var pipeline = Flux.Inference.FluxPipeline.Open(package, new Flux.Inference.Sessions.InferenceOptions { ExecutionProvider = Flux.Inference.Sessions.ExecutionProviderKind.Cpu });
        Assert.Equal((t5, steps, 0.5f, -0.25f), (pipeline.Package.T5MaxLength, pipeline.Package.DefaultSteps, pipeline.Package.VaeScale, pipeline.Package.VaeShift));
    }

    /// <summary>One progress bar per component: each begins with its byte total before any advance, and its advances add up to that total.</summary>
    [Fact]
    public void Progress_ReportsEveryComponent_AndItsBytesAddUpToItsTotal()
    {
        using var dir = new TempDirectory();
        var source = new ImportSource(dir.Path, new SmallFlux(Dev: false));
        var progress = new RecordingProgress();

        ModelImporter.Import(new ImportRequest { Source = source.Root, Output = dir.Sub("out"), T5MaxLength = 8 }, progress);

        Assert.Equal(["text_encoder", "text_encoder_2", "transformer", "vae", "tokenizers", ModelImporter.SourcesComponent], progress.Totals.Keys);
        foreach (var (component, total) in progress.Totals)
        {
            Assert.True(total > 0, component);
            Assert.Equal(total, progress.Done[component]);
        }

        Assert.Equal(new FileInfo(dir.Sub("out/transformer/model.onnx.data")).Length, progress.Totals["transformer"], tolerance: 4096.0 * 400);   // data plus 4 KiB alignment per tensor
    }

    private sealed class RecordingProgress : IImportProgress
    {
        private readonly Lock _gate = new();

        public Dictionary<string, long> Totals { get; } = [];

        public Dictionary<string, long> Done { get; } = [];

        public void Begin(string component, long totalBytes)
        {
            lock (_gate)
            {
                Assert.False(Totals.ContainsKey(component), $"{component} began twice");
                Assert.DoesNotContain(Done, d => d.Value > 0 && d.Key != ModelImporter.SourcesComponent); // every bar exists before work starts
                (Totals[component], Done[component]) = (totalBytes, 0);
            }
        }

        public void Advance(string component, long bytes)
        {
            lock (_gate)
            {
                Done[component] += bytes;
            }
        }
    }

    /// <summary>The IO contract the issue names (optimum's export names, BFL's for the transformer), with a dynamic batch axis on every graph input and output.</summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void EveryGraph_HasTheIssuesIoNames_AndADynamicBatchAxis(bool dev)
    {
        using var dir = new TempDirectory();
        var source = new ImportSource(dir.Path, new SmallFlux(dev));
        ModelImporter.Import(new ImportRequest { Source = source.Root, Output = dir.Sub("out"), T5MaxLength = 8 });

        string[] transformerInputs = ["hidden_states", "encoder_hidden_states", "pooled_projections", "timestep", "img_ids", "txt_ids", .. dev ? new[] { "guidance" } : []];
        var expected = new (string Folder, string[] Inputs, string[] Outputs)[]
        {
            ("text_encoder", ["input_ids"], ["last_hidden_state", "pooler_output"]),
            ("text_encoder_2", ["input_ids"], ["last_hidden_state"]),
            ("transformer", transformerInputs, ["latent"]),
            ("vae_decoder", ["latent_sample"], ["sample"]),
            ("vae_encoder", ["sample"], ["latent_sample"]),
        };
        foreach (var (folder, inputs, outputs) in expected)
        {
            var graph = global::Onnx.ModelProto.Parser.ParseFrom(File.ReadAllBytes(dir.Sub($"out/{folder}/model.onnx"))).Graph;
            var declaredInputs = graph.Input.Where(i => graph.Initializer.All(t => t.Name != i.Name)).ToList();
            Assert.Equal(inputs.Order(StringComparer.Ordinal), declaredInputs.Select(i => i.Name).Order(StringComparer.Ordinal));
            Assert.Equal(outputs, graph.Output.Select(o => o.Name));
            foreach (var value in declaredInputs.Concat(graph.Output).Where(v => v.Name is not ("img_ids" or "txt_ids")))   // ids are (L, 3): no batch axis, as in BFL's and optimum's exports
            {
                var batch = value.Type.TensorType.Shape.Dim[0];
                Assert.True(batch.ValueCase == global::Onnx.TensorShapeProto.Types.Dimension.ValueOneofCase.DimParam, $"{folder} {value.Name}: batch axis is {batch}, not symbolic");
            }

            if (folder.StartsWith("text_encoder", StringComparison.Ordinal))
            {
                Assert.Equal((int)global::Onnx.TensorProto.Types.DataType.Int64, declaredInputs.Single().Type.TensorType.ElemType);
            }
        }
    }

    [Fact]
    public void BadInput_LeavesNoPackageAndNoTemporaryFolder()
    {
        using var dir = new TempDirectory();
        var source = new ImportSource(dir.Path, new SmallFlux(Dev: false));
        File.WriteAllText(Path.Combine(source.Root, "transformer", "config.json"), FluxCheckpoints.DiffusersConfig(source.Sizes with { Heads = 4 }));

        var error = Assert.Throws<ImportException>(() => ModelImporter.Import(new ImportRequest { Source = source.Root, Output = dir.Sub("out") }));
        Assert.Contains("num_attention_heads 4", error.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(dir.Sub("out")));
        Assert.Empty(Directory.GetDirectories(dir.Path, ".out.*"));
    }

    [Fact]
    public void ImportKilledHalfWay_LeavesATemporaryFolderThatTheNextRunRemoves()
    {
        using var dir = new TempDirectory();
        var source = new ImportSource(dir.Path, new SmallFlux(Dev: false));

        // What a killed run leaves: PackageDirectory's temporary sibling with part of a package, and no package.
        var stale = Directory.CreateDirectory(dir.Sub(".out.0123456789abcdef0123456789abcdef.tmp")).FullName;
        File.WriteAllBytes(Path.Combine(Directory.CreateDirectory(Path.Combine(stale, "transformer")).FullName, "model.onnx.data"), new byte[4096]);

        ModelImporter.Import(new ImportRequest { Source = source.Root, Output = dir.Sub("out"), T5MaxLength = 8 });

        Assert.False(Directory.Exists(stale));
        Assert.Empty(Directory.GetDirectories(dir.Path, ".out.*"));
        Assert.True(File.Exists(dir.Sub("out/flux.json")));
    }

    [Fact]
    public void ExistingOutput_IsKeptWithoutForce_AndReplacedWithIt()
    {
        using var dir = new TempDirectory();
        var source = new ImportSource(dir.Path, new SmallFlux(Dev: false));
        Directory.CreateDirectory(dir.Sub("out"));
        File.WriteAllText(dir.Sub("out/keep.txt"), "x");

        var error = Assert.Throws<ImportException>(() => ModelImporter.Import(new ImportRequest { Source = source.Root, Output = dir.Sub("out") }));
        Assert.Contains("--force", error.Message, StringComparison.Ordinal);
        Assert.True(File.Exists(dir.Sub("out/keep.txt")));

        ModelImporter.Import(new ImportRequest { Source = source.Root, Output = dir.Sub("out"), Force = true, T5MaxLength = 8 });
        Assert.False(File.Exists(dir.Sub("out/keep.txt")));
        Assert.True(File.Exists(dir.Sub("out/transformer/model.onnx")));
    }
}
