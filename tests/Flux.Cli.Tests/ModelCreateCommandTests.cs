using System.Text.Json;
using Flux.Tests.Shared;

namespace Flux.Cli.Tests;

public class ModelCreateCommandTests
{
    [Fact]
    public void CreateTinyDev_WritesACompletePackage_WithTheRequestedSizes()
    {
        using var folder = new TemporaryFolder();
        var target = Path.Combine(folder.Path, "tiny-dev");

        var (exitCode, output, error) = CliRunner.Run("model", "create", "tiny", "--out", target, "--variant", "dev", "--hidden", "32", "--heads", "2", "--t5-length", "24", "--optimum-names");

        Assert.Equal(0, exitCode);
        Assert.Empty(error);
        Assert.Contains("transformer/model.onnx", output, StringComparison.Ordinal);
        using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(target, "flux.json")));
        Assert.Equal("dev", manifest.RootElement.GetProperty("variant").GetString());
        Assert.Equal(24, manifest.RootElement.GetProperty("t5MaxLength").GetInt32());
        Assert.Equal("out_hidden_states", manifest.RootElement.GetProperty("transformerOutput").GetString());
        Assert.Empty(Directory.GetDirectories(folder.Path, ".*"));   // no temporary folder left behind
    }

    [Theory]
    [InlineData("plain", false)]
    [InlineData("fused", true)]
    public void CreateTiny_WithGraph_WritesThatTransformerGraph(string graph, bool expectContribOps)
    {
        using var folder = new TemporaryFolder();
        var target = Path.Combine(folder.Path, graph);

        var (exitCode, _, error) = CliRunner.Run("model", "create", "tiny", "--out", target, "--graph", graph, "--hidden", "32", "--heads", "2");

        Assert.Equal(0, exitCode);
        Assert.Empty(error);
        var model = Onnx.ModelProto.Parser.ParseFrom(File.ReadAllBytes(Path.Combine(target, "transformer", "model.onnx")));
        Assert.Equal(expectContribOps, model.Graph.Node.Any(n => n.OpType == "MultiHeadAttention"));
    }

    [Theory]
    [InlineData(null, 64)]
    [InlineData("32", 32)]
    [InlineData("128", 128)]
    public void CreateTiny_WithQuantizeInt4_WritesMatMulNBitsOfThatBlockSize(string? blockSize, int expected)
    {
        using var folder = new TemporaryFolder();
        var target = Path.Combine(folder.Path, "int4");
        string[] args = ["model", "create", "tiny", "--out", target, "--quantize", "int4", .. blockSize is null ? Array.Empty<string>() : ["--block-size", blockSize]];

        var (exitCode, _, error) = CliRunner.Run(args);

        Assert.Equal(0, exitCode);
        Assert.Empty(error);
        var model = Onnx.ModelProto.Parser.ParseFrom(File.ReadAllBytes(Path.Combine(target, "transformer", "model.onnx")));
        var nodes = model.Graph.Node.Where(n => n.OpType == "MatMulNBits").ToList();
        Assert.NotEmpty(nodes);
        Assert.All(nodes, n => Assert.Equal(expected, n.Attribute.Single(a => a.Name == "block_size").I));
    }

    [Fact]
    public void CreateIntoANonEmptyFolder_IsRefusedWithoutForce_AndLeavesItAlone()
    {
        using var folder = new TemporaryFolder();
        folder.Write("keep.txt", "mine");

        var (exitCode, _, error) = CliRunner.Run("model", "create", "reference", "--out", folder.Path);

        Assert.Equal(2, exitCode);
        Assert.Contains("--force", error, StringComparison.Ordinal);
        Assert.Equal(["keep.txt"], Directory.GetFileSystemEntries(folder.Path).Select(Path.GetFileName));
    }

    [Theory]
    [InlineData("--heads 5", "--heads 5 is out of range")]
    [InlineData("--hidden abc", "--hidden 'abc' is not a whole number")]
    [InlineData("--variant pro", "--variant 'pro' is not a FLUX variant")]
    [InlineData("--preset huge", "--preset 'huge' is not a preset")]
    [InlineData("--graph fast", "--graph 'fast' is not a graph kind")]
    [InlineData("--quantize int8", "--quantize 'int8' is not a quantization")]
    [InlineData("--quantize int4 --block-size 48", "--block-size '48' is not an int4 block size (allowed: 32, 64, 128)")]
    [InlineData("--block-size 32", "--block-size applies to --quantize int4 only")]
    public void InvalidTinyOptions_AreReportedByName(string options, string expected)
    {
        using var folder = new TemporaryFolder();
        string[] args = ["model", "create", "tiny", "--out", Path.Combine(folder.Path, "x"), .. options.Split(' ')];

        var (exitCode, _, error) = CliRunner.Run(args);

        Assert.Equal(2, exitCode);
        Assert.Contains(expected, error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(folder.Path, "x")));
    }

    [Fact]
    public void TinyOnlyOptions_AreRejectedForTheReferencePackage()
    {
        var (exitCode, _, error) = CliRunner.Run("model", "create", "reference", "--out", "unused", "--hidden", "64");

        Assert.Equal(2, exitCode);
        Assert.Contains("--hidden applies to tiny packages only", error, StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownKind_IsRejected()
    {
        var (exitCode, _, error) = CliRunner.Run("model", "create", "huge", "--out", "unused");

        Assert.Equal(2, exitCode);
        Assert.Contains("'huge' is not a package kind", error, StringComparison.Ordinal);
    }
}
