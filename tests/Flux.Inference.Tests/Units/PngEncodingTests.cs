using System.Buffers.Binary;
using System.Text;
using Flux.Inference.Imaging;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Png;

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
    public void Encode_EveryChunkCarriesTheCrcOfItsTypeAndData_BetweenSignatureAndIend()
    {
        byte[] rgb = TestImages.Create("random", 600, 600);   // several bands
        byte[] png = PngEncoding.Encode(rgb, 600, 600, [new("prompt", "a red circle"), new("prompt-ja", "赤い円")]);
        var chunks = PngChunks.Read(png);

        Assert.Equal(PngChunks.Signature, png[..8]);
        Assert.Equal(["IHDR", "tEXt", "iTXt", "IDAT", "IEND"], chunks.Select(c => c.Type));
        Assert.All(chunks, c => Assert.Equal(PngChunks.ExpectedCrc(c.Type, c.Data), c.Crc));
        Assert.Equal(png.Length, 8 + chunks.Sum(c => 12 + c.Data.Length));
    }

    [Fact]
    public void Encode_HeaderDeclares8BitRgbNonInterlaced()
    {
        var header = PngChunks.Read(PngEncoding.Encode(new byte[5 * 3 * 3], 5, 3, [])).Single(c => c.Type == "IHDR").Data;
        Assert.Equal([8, 2, 0, 0, 0], header[8..]);   // bit depth, colour type RGB, deflate, adaptive filtering, no interlace
    }

    [Fact]
    public void Encode_TextRoundTrips_Latin1AsTextAndOtherTextAsInternationalText()
    {
        KeyValuePair<string, string>[] text =
        [
            new("prompt", "a café in Zürich, naïve style"),
            new("prompt-ja", "富士山の上の赤い円"),
            new("emoji", "a red 🔴 circle"),
            new("multi line", "first\nsecond"),
        ];
        byte[] png = PngEncoding.Encode(new byte[4 * 4 * 3], 4, 4, text);

        var types = PngChunks.Read(png).Where(c => c.Type is "tEXt" or "iTXt").Select(c => c.Type);
        Assert.Equal(["tEXt", "iTXt", "iTXt", "tEXt"], types);
        Assert.Equal(text.ToDictionary(), PngChunks.Text(png));
        var decoded = Image.Identify(png).Metadata.GetPngMetadata().TextData.ToDictionary(t => t.Keyword, t => t.Value);
        Assert.Equal(text.ToDictionary(), decoded);
    }

    [Theory]
    [InlineData("")]
    [InlineData(" prompt")]
    [InlineData("prompt ")]
    [InlineData("two  spaces")]
    [InlineData("プロンプト")]
    [InlineData("tab\tkey")]
    [InlineData("a-keyword-of-eighty-characters-is-one-too-many-for-png-text-chunks-xxxxxxxxxxxxx")]
    public void Encode_InvalidKeyword_IsRefusedWithAnErrorNamingIt(string keyword)
    {
        var error = Assert.Throws<ArgumentException>(() => PngEncoding.Encode(new byte[3], 1, 1, [new(keyword, "value")]));
        Assert.Contains($"\"{keyword}\"", error.Message, StringComparison.Ordinal);
        Assert.Contains("1 to 79 printable Latin-1 characters", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Encode_ValueWithANullCharacter_IsRefusedWithAnErrorNamingTheKeyword()
    {
        var error = Assert.Throws<ArgumentException>(() => PngEncoding.Encode(new byte[3], 1, 1, [new("prompt", "a\0b")]));
        Assert.Contains("\"prompt\"", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Encode_KeywordOf79PrintableLatin1Characters_IsAccepted()
    {
        string keyword = "Ä" + new string('k', 78);
        Assert.Equal("v", PngChunks.Text(PngEncoding.Encode(new byte[3], 1, 1, [new(keyword, "v")]))[keyword]);
    }

    [Theory]
    [InlineData(2, 2, 11)]
    [InlineData(0, 1, 0)]
    public void Encode_PixelBufferOfTheWrongSize_IsRefused(int width, int height, int bytes)
    {
        Assert.ThrowsAny<ArgumentException>(() => PngEncoding.Encode(new byte[bytes], width, height, []));
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
