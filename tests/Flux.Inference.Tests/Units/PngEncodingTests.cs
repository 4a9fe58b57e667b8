using System.Buffers.Binary;
using System.Text;
using Flux.Inference.Imaging;

namespace Flux.Inference.Tests.Units;

public class PngEncodingTests
{
    [Fact]
    public void Encode_WritesParametersAsTextChunks()
    {
        byte[] rgb = new byte[16 * 16 * 3];
        byte[] png = PngEncoding.Encode(rgb, 16, 16, [new("prompt", "a red circle"), new("seed", "42")]);
        var chunks = PngChunks.Read(png);
        Assert.Contains(("tEXt", "prompt\0a red circle"), chunks.Select(c => (c.Type, Encoding.Latin1.GetString(c.Data))));
        Assert.Contains(("tEXt", "seed\u000042"), chunks.Select(c => (c.Type, Encoding.Latin1.GetString(c.Data))));
    }

    [Fact]
    public void Encode_IsDeterministic()
    {
        byte[] rgb = Enumerable.Range(0, 32 * 16 * 3).Select(i => (byte)(i * 7)).ToArray();
        Assert.Equal(PngEncoding.Encode(rgb, 32, 16, [new("k", "v")]), PngEncoding.Encode(rgb, 32, 16, [new("k", "v")]));
    }

    [Fact]
    public void Encode_HeaderHasTheImageSize()
    {
        byte[] png = PngEncoding.Encode(new byte[48 * 32 * 3], 48, 32, []);
        var header = PngChunks.Read(png).First(c => c.Type == "IHDR").Data;
        Assert.Equal(48, BinaryPrimitives.ReadInt32BigEndian(header));
        Assert.Equal(32, BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(4)));
    }

    [Fact]
    public void AtomicFile_LeavesNoTemporaryFileBehind()
    {
        string folder = Directory.CreateTempSubdirectory("flux-atomic-").FullName;
        string path = Path.Combine(folder, "out.png");
        AtomicFile.WriteAllBytes(path, [1, 2, 3]);
        AtomicFile.WriteAllBytes(path, [4, 5]);
        Assert.Equal([4, 5], File.ReadAllBytes(path));
        Assert.Equal(["out.png"], Directory.GetFiles(folder).Select(Path.GetFileName));
        Directory.Delete(folder, true);
    }
}

/// <summary>Reads a PNG's chunk list (type and data) without decoding pixels.</summary>
internal static class PngChunks
{
    private const int SignatureLength = 8;

    public static List<(string Type, byte[] Data)> Read(byte[] png)
    {
        var chunks = new List<(string, byte[])>();
        for (int offset = SignatureLength; offset < png.Length;)
        {
            int length = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(offset));
            string type = Encoding.ASCII.GetString(png, offset + 4, 4);
            chunks.Add((type, png.AsSpan(offset + 8, length).ToArray()));
            offset += 12 + length;
        }

        return chunks;
    }

    public static Dictionary<string, string> Text(byte[] png) => Read(png)
        .Where(c => c.Type == "tEXt")
        .Select(c => Encoding.Latin1.GetString(c.Data).Split('\0', 2))
        .ToDictionary(p => p[0], p => p[1]);
}
