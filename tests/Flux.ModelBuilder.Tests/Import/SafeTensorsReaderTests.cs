using Flux.Tests.Shared;
using Flux.ModelBuilder.Import;
using Flux.ModelBuilder.Import.SafeTensors;

namespace Flux.ModelBuilder.Tests.Import;

public sealed class SafeTensorsReaderTests
{
    private static readonly byte[] EightBytes = new byte[8];

    [Fact]
    public void ValidFile_GivesEveryTensorWithItsBytesAndMetadata()
    {
        using var dir = new TempDirectory();
        var path = dir.Sub("a.safetensors");
        SafeTensorsWriter.Write(path, [new TestTensor("b", [2], [1f, -2f]), new TestTensor("a", [1, 3], [0.5f, 1.5f, 2.5f], "BF16")],
            new Dictionary<string, string> { ["format"] = "pt" });

        using var file = SafeTensorsFile.Open(path);
        Assert.Equal(["a", "b"], file.Tensors.Keys);
        Assert.Equal("pt", file.Metadata["format"]);
        var a = file.Tensors["a"];
        Assert.Equal(("BF16", 6L), (a.DType, a.ByteLength));
        Assert.Equal([1L, 3L], a.Shape);
        using var stream = file.OpenRead(file.Tensors["b"]);
        var bytes = new byte[8];
        stream.ReadExactly(bytes);
        Assert.Equal(-2f, BitConverter.ToSingle(bytes, 4));
    }

    public static TheoryData<string, string, int, string> HostileHeaders => new()
    {
        { "offsets out of range", """{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,16]}}""", 8, "outside the 8-byte data section" },
        { "overlapping", """{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"v":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}""", 8, "overlaps" },
        { "gap", """{"w":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}""", 8, "belong to no tensor" },
        { "trailing bytes", """{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}""", 8, "cover 4 of the 8 data bytes" },
        { "unknown dtype", """{"w":{"dtype":"F33","shape":[2],"data_offsets":[0,8]}}""", 8, "unknown dtype 'F33'" },
        { "shape byte count", """{"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}""", 8, "(12 bytes) but data_offsets [0, 8] hold 8 bytes" },
        { "duplicate names", """{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"w":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}""", 8, "'w' appears twice" },
        { "negative dim", """{"w":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}}""", 8, "shape[0] = -2, not a non-negative integer" },
        { "reversed offsets", """{"w":{"dtype":"F32","shape":[0],"data_offsets":[8,0]}}""", 8, "data_offsets [8, 0]" },
        { "not json", """{"w":""", 0, "not valid JSON" },
    };

    [Theory]
    [MemberData(nameof(HostileHeaders))]
    public void HostileHeader_IsRejected_WithOneLineNamingFileAndTensor(string _, string header, int dataBytes, string expected)
    {
        using var dir = new TempDirectory();
        var path = dir.Sub("bad.safetensors");
        SafeTensorsWriter.WriteRaw(path, header, new byte[dataBytes]);

        var error = Assert.Throws<ImportException>(() => SafeTensorsFile.Open(path));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.StartsWith(path, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void HeaderLongerThanTheFile_IsRejected()
    {
        using var dir = new TempDirectory();
        var path = dir.Sub("short.safetensors");
        SafeTensorsWriter.WriteRaw(path, "{}", [], claimedHeaderLength: 1000);

        var error = Assert.Throws<ImportException>(() => SafeTensorsFile.Open(path));
        Assert.Contains("header length 1000 bytes is longer than the 2 bytes", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void HeaderOver100MB_IsRejectedBeforeReadingIt()
    {
        using var dir = new TempDirectory();
        var path = dir.Sub("huge.safetensors");
        File.WriteAllBytes(path, BitConverter.GetBytes(100_000_001UL)); // only the 8-byte length, claiming 100 MB + 1

        var error = Assert.Throws<ImportException>(() => SafeTensorsFile.Open(path));
        Assert.Contains("exceeds the 100000000-byte limit", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FileShorterThanTheLength_IsRejected()
    {
        using var dir = new TempDirectory();
        var path = dir.Sub("tiny.safetensors");
        File.WriteAllBytes(path, EightBytes[..3]);
        Assert.Contains("too short", Assert.Throws<ImportException>(() => SafeTensorsFile.Open(path)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ShardedCheckpoint_JoinsShards_AndAMissingShardIsNamed()
    {
        using var dir = new TempDirectory();
        var tensors = Enumerable.Range(0, 5).Select(i => new TestTensor($"t{i}", [2], [i, -i])).ToList();
        SafeTensorsWriter.WriteSharded(dir.Path, "model", tensors, tensorsPerShard: 2);

        using (var checkpoint = SafeTensorsCheckpoint.Open(dir.Path))
        {
            Assert.Equal(3, checkpoint.Files.Count);
            Assert.Equal(tensors.Select(t => t.Name), checkpoint.Tensors.Keys);
        }

        File.Delete(dir.Sub("model-00002-of-00003.safetensors"));
        var error = Assert.Throws<ImportException>(() => SafeTensorsCheckpoint.Open(dir.Path));
        Assert.Contains("shard 'model-00002-of-00003.safetensors' named in weight_map is missing", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"weight_map\": ", "not valid JSON")]
    [InlineData("{\"metadata\": {}}", "no \"weight_map\" object")]
    [InlineData("{\"weight_map\": {\"t0\": 3}}", "weight_map['t0'] is a JSON Number")]
    public void BadShardIndex_IsAnImportErrorNamingTheIndex(string index, string expected)
    {
        using var dir = new TempDirectory();
        var path = dir.Sub("model.safetensors.index.json");
        File.WriteAllText(path, index);

        var error = Assert.Throws<ImportException>(() => SafeTensorsCheckpoint.Open(dir.Path));

        Assert.StartsWith(path + ": ", error.Message, StringComparison.Ordinal);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }
}
