using System.Diagnostics;
using Flux.Tests.Shared;

namespace Flux.Cli.Tests;

/// <summary>`flux model import` through the real command line: exit codes, one-line errors, no package on failure.</summary>
public sealed class ModelImportCommandTests
{
    [Fact]
    public void Import_OfAHuggingFaceFolder_ExitsZeroAndWritesThePackage()
    {
        using var folder = new TemporaryFolder();
        var source = ImportSourceFolder.Write(folder.Path, new SmallFlux(Dev: false));
        var output = Path.Combine(folder.Path, "package");

        var (exitCode, stdout, error) = CliRunner.Run("model", "import", source, "--out", output);

        Assert.True(exitCode == 0, error);
        Assert.Contains("FLUX.1-schnell", stdout, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(output, "transformer", "model.onnx.data")));
        Assert.Contains("\"t5MaxLength\": 256", File.ReadAllText(Path.Combine(output, "flux.json")), StringComparison.Ordinal);
    }

    [Fact]
    public void ImportedPackage_LoadsInInspect_AndGenerateWritesAnImage()
    {
        using var folder = new TemporaryFolder();
        var source = ImportSourceFolder.Write(folder.Path, new SmallFlux(Dev: true));
        var package = Path.Combine(folder.Path, "package");
        Assert.Equal(0, CliRunner.Run("model", "import", source, "--out", package, "--precision", "bf16").ExitCode);

        var (inspectExit, inspectOutput, inspectError) = CliRunner.Run("model", "inspect", package);
        Assert.True(inspectExit == 0, inspectError);
        Assert.Contains("Dev (from flux.json)", inspectOutput, StringComparison.Ordinal);
        Assert.Contains("guidance", inspectOutput, StringComparison.Ordinal);

        var png = Path.Combine(folder.Path, "fox.png");
        var (exitCode, _, error) = CliRunner.Run("generate", "a red fox", "--model", package, "--provider", "cpu", "--width", "64", "--height", "64", "--steps", "2", "-o", png);
        Assert.True(exitCode == 0, error);
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], File.ReadAllBytes(png)[..4]);
    }

    /// <summary>Every kind of bad input the issue lists: one line on stderr naming the problem, exit code 2, no package and no temporary folder.</summary>
    public static TheoryData<string> BadInputs => new()
    {
        "missing source folder", "missing file", "missing transformer file", "config that disagrees with the shapes", "text encoder config that disagrees with the shapes",
        "header longer than the file", "offsets out of range", "overlapping offsets", "unknown dtype", "shape byte count",
        "duplicate names", "header over 100 MB", "missing shard", "LoRA for another architecture",
    };

    [Theory]
    [MemberData(nameof(BadInputs))]
    public void BadInput_ExitsTwo_WithOneLine_AndNoPackage(string problem)
    {
        using var folder = new TemporaryFolder();
        var sizes = new SmallFlux(Dev: true);
        var source = ImportSourceFolder.Write(folder.Path, sizes);
        var shard = Directory.GetFiles(Path.Combine(source, "transformer"), "*-00002-of-*.safetensors").Single();
        var bfl = Path.Combine(folder.Path, "flux1-dev.safetensors");
        var extra = new List<string>();
        void Hostile(string header, int dataBytes)
        {
            SafeTensorsWriter.WriteRaw(bfl, header, new byte[dataBytes]);
            extra.AddRange(["--transformer", bfl]);
        }

        string expected;
        switch (problem)
        {
            case "missing source folder":
                source = Path.Combine(folder.Path, "FLUX.1-nowhere");
                expected = "FLUX.1-nowhere: source folder not found";
                break;
            case "missing file":
                File.Delete(Path.Combine(source, "tokenizer_2", "spiece.model"));
                expected = "spiece.model: file not found";
                break;
            case "missing transformer file":
                extra.AddRange(["--transformer", bfl]);
                expected = "flux1-dev.safetensors: transformer checkpoint not found";
                break;
            case "config that disagrees with the shapes":
                File.WriteAllText(Path.Combine(source, "transformer", "config.json"), FluxCheckpoints.DiffusersConfig(sizes with { Context = 24 }));
                expected = "joint_attention_dim 24";
                break;
            case "text encoder config that disagrees with the shapes":
                var clipConfig = Path.Combine(source, "text_encoder", "config.json");
                var json = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(clipConfig))!;
                json["intermediate_size"] = json["intermediate_size"]!.GetValue<int>() * 2;
                File.WriteAllText(clipConfig, json.ToJsonString());
                expected = "mlp.fc1.weight";
                break;
            case "header longer than the file":
                SafeTensorsWriter.WriteRaw(shard, "{}", [], claimedHeaderLength: 1 << 20);
                expected = "is longer than the";
                break;
            case "offsets out of range":
                Hostile("""{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,16]}}""", 8);
                expected = "outside the 8-byte data section";
                break;
            case "overlapping offsets":
                Hostile("""{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"v":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}""", 8);
                expected = "overlaps";
                break;
            case "unknown dtype":
                Hostile("""{"w":{"dtype":"F33","shape":[2],"data_offsets":[0,8]}}""", 8);
                expected = "unknown dtype 'F33'";
                break;
            case "shape byte count":
                Hostile("""{"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}""", 8);
                expected = "(12 bytes) but data_offsets [0, 8] hold 8 bytes";
                break;
            case "duplicate names":
                Hostile("""{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"w":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}""", 8);
                expected = "'w' appears twice";
                break;
            case "header over 100 MB":
                File.WriteAllBytes(bfl, BitConverter.GetBytes(100_000_001UL));
                extra.AddRange(["--transformer", bfl]);
                expected = "exceeds the 100000000-byte limit";
                break;
            case "missing shard":
                File.Delete(shard);
                expected = $"shard '{Path.GetFileName(shard)}' named in weight_map is missing";
                break;
            default:
                var lora = Path.Combine(folder.Path, "wide.safetensors");   // a rank-1 LoRA for a 64-wide model: qkv [192, 64]
                SafeTensorsWriter.Write(lora, [
                    new TestTensor("lora_unet_double_blocks_0_img_attn_qkv.lora_down.weight", [1, 64], new float[64]),
                    new TestTensor("lora_unet_double_blocks_0_img_attn_qkv.lora_up.weight", [192, 1], new float[192]),
                ]);
                extra.AddRange(["--lora", lora]);
                expected = "does not fit transformer weight 'double_blocks.0.img_attn.qkv.weight'";
                break;
        }

        var output = Path.Combine(folder.Path, "package");
        var (exitCode, _, error) = CliRunner.Run(["model", "import", source, "--out", output, .. extra]);

        Assert.Equal(2, exitCode);
        Assert.Contains(expected, error, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error);
        Assert.False(Directory.Exists(output));
        Assert.Empty(Directory.GetDirectories(folder.Path, ".package.*"));
    }

    /// <summary>The real `flux` process killed while it writes the transformer: no package; the next import removes the temporary folder and succeeds.</summary>
    [Fact]
    public void ImportKilledHalfWay_LeavesNoPackage_AndTheNextRunLeavesNoTemporaryFolder()
    {
        using var folder = new TemporaryFolder();
        // Wide enough (about 100 MB written for the transformer) that the kill lands inside the write.
        var source = ImportSourceFolder.Write(folder.Path, new SmallFlux(Dev: false, Hidden: 512, Heads: 32));
        var output = Path.Combine(folder.Path, "package");
        string[] Partial() => [.. Directory.GetDirectories(folder.Path, ".package.*.tmp")
            .Select(t => Path.Combine(t, "transformer", "model.onnx.data")).Where(f => File.Exists(f) && new FileInfo(f).Length > 0)];

        using (var process = CliRunner.Start("model", "import", source, "--out", output))
        {
            var waited = Stopwatch.StartNew();
            while (Partial().Length == 0 && !process.HasExited && waited.Elapsed < TimeSpan.FromMinutes(2))
            {
                Thread.Sleep(2);
            }

            Assert.False(process.HasExited, "flux finished before it could be interrupted");
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }

        Assert.False(Directory.Exists(output));
        Assert.Single(Directory.GetDirectories(folder.Path, ".package.*.tmp"));   // what the kill left

        var (exitCode, _, error) = CliRunner.Run("model", "import", source, "--out", output);

        Assert.True(exitCode == 0, error);
        Assert.True(File.Exists(Path.Combine(output, "flux.json")));
        Assert.Empty(Directory.GetDirectories(folder.Path, ".package.*"));
    }

    [Fact]
    public void LoraIgnoreUnknown_SkipsKeysThatMatchNoTransformerWeight()
    {
        using var folder = new TemporaryFolder();
        var source = ImportSourceFolder.Write(folder.Path, new SmallFlux(Dev: false));
        var lora = Path.Combine(folder.Path, "te.safetensors");   // a text-encoder LoRA: nothing in the transformer
        SafeTensorsWriter.Write(lora, [
            new TestTensor("lora_te1_text_model_encoder_layers_0_mlp_fc1.lora_down.weight", [1, 4], [1, 2, 3, 4]),
            new TestTensor("lora_te1_text_model_encoder_layers_0_mlp_fc1.lora_up.weight", [4, 1], [1, 2, 3, 4]),
        ]);

        var (refused, _, error) = CliRunner.Run("model", "import", source, "--out", Path.Combine(folder.Path, "refused"), "--lora", lora);
        var (exitCode, _, ignoredError) = CliRunner.Run("model", "import", source, "--out", Path.Combine(folder.Path, "package"), "--lora", lora + ":0.5", "--lora-ignore-unknown");

        Assert.Equal(2, refused);
        Assert.Contains("'lora_te1_text_model_encoder_layers_0_mlp_fc1'", error, StringComparison.Ordinal);
        Assert.True(exitCode == 0, ignoredError);
        Assert.Contains("\"scale\": 0.5", File.ReadAllText(Path.Combine(folder.Path, "package", "flux.json")), StringComparison.Ordinal);
    }

    [Fact]
    public void QuantizeInt4_StoresBlockLinearsForMatMulNBits_AndTheImportedPackageGenerates()
    {
        using var folder = new TemporaryFolder();
        var source = ImportSourceFolder.Write(folder.Path, new SmallFlux(Dev: false));
        var package = Path.Combine(folder.Path, "package");

        var (exitCode, stdout, error) = CliRunner.Run("model", "import", source, "--out", package, "--quantize", "int4", "--block-size", "32");

        Assert.True(exitCode == 0, error);
        Assert.Contains("int4 blocks of 32", stdout, StringComparison.Ordinal);
        var manifest = File.ReadAllText(Path.Combine(package, "flux.json"));
        Assert.Contains("\"quantize\": \"int4\"", manifest, StringComparison.Ordinal);
        Assert.Contains("\"int4BlockSize\": 32", manifest, StringComparison.Ordinal);
        var graph = global::Onnx.ModelProto.Parser.ParseFrom(File.ReadAllBytes(Path.Combine(package, "transformer", "model.onnx"))).Graph;
        var int4 = graph.Node.Where(n => n.OpType == "MatMulNBits").ToList();
        Assert.Equal(10 * 2 + 3 * 2, int4.Count);   // every linear of 2 double and 2 single blocks
        Assert.All(int4, n => Assert.Equal(32, n.Attribute.Single(a => a.Name == "block_size").I));

        var png = Path.Combine(folder.Path, "int4.png");
        var (generateExit, _, generateError) = CliRunner.Run("generate", "a red fox", "--model", package, "--provider", "cpu", "--width", "32", "--height", "32", "--steps", "1", "-o", png);
        Assert.True(generateExit == 0, generateError);
        Assert.True(File.Exists(png));
    }

    [Theory]
    [InlineData("--variant", "turbo", "--variant 'turbo' is not a variant")]
    [InlineData("--precision", "fp8", "--precision 'fp8' is not a precision")]
    [InlineData("--lora", "style.safetensors:strong", "--lora 'style.safetensors:strong'")]
    [InlineData("--quantize", "int8", "--quantize 'int8' is not a quantization (allowed: none, int4)")]
    [InlineData("--block-size", "64", "--block-size applies to --quantize int4 only")]
    public void InvalidOption_ExitsTwo_NamingIt(string option, string value, string expected)
    {
        using var folder = new TemporaryFolder();
        var (exitCode, _, error) = CliRunner.Run("model", "import", folder.Path, "--out", Path.Combine(folder.Path, "p"), option, value);
        Assert.Equal(2, exitCode);
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }
}
