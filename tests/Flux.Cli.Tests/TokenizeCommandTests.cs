using System.Text.Json;
using Flux.Inference.Text;
using Flux.Tests.Shared;

namespace Flux.Cli.Tests;

/// <summary>`flux tokenize` on a folder that holds nothing but the tokenizer files.</summary>
public sealed class TokenizeCommandTests : IDisposable
{
    private const string Cat = "a photo of a cat";
    private readonly TemporaryFolder _package = TokenizerOnlyPackage();

    public void Dispose() => _package.Dispose();

    [Fact]
    public void Json_PrintsExactlyClipAndT5Ids_FromATokenizerOnlyFolder()
    {
        var (exitCode, output, error) = CliRunner.Run("tokenize", "--model", _package.Path, "--json", Cat);

        Assert.Equal(0, exitCode);
        Assert.Empty(error);
        long[] clipPadding = [.. Enumerable.Repeat(49407L, 70)];
        long[] t5 = T5Tokenizer.FromFile(TokenizerTestFiles.T5SpieceModel, 256).Encode(Cat);
        string expected = $"{{\"clip\":[49406,320,1125,539,320,2368,49407,{string.Join(',', clipPadding)}],\"t5\":[{string.Join(',', t5)}]}}";
        Assert.Equal(expected, output);
    }

    [Fact]
    public void Json_WithoutFluxJson_GivesSchnellT5Length()
    {
        var (clip, t5) = TokenizeJson(Cat);

        Assert.Equal(ClipTokenizer.SequenceLength, clip.Length);
        Assert.Equal(T5Tokenizer.SchnellLength, t5.Length);
    }

    [Theory]
    [InlineData("{\"variant\": \"dev\"}", 512)]
    [InlineData("{\"variant\": \"schnell\"}", 256)]
    [InlineData("{\"variant\": \"dev\", \"t5MaxLength\": 300}", 300)]
    [InlineData("{\"t5MaxLength\": 77}", 77)]
    public void Json_TakesTheT5LengthFromFluxJson(string fluxJson, int expectedLength)
    {
        _package.Write("flux.json", fluxJson);

        var (_, t5) = TokenizeJson(Cat);

        Assert.Equal(expectedLength, t5.Length);
        Assert.Equal(T5Tokenizer.FromFile(TokenizerTestFiles.T5SpieceModel, expectedLength).Encode(Cat), t5);
    }

    [Fact]
    public void FluxJsonTokenizerPaths_AreUsedInsteadOfTheDiffusersFolders()
    {
        Directory.Move(Path.Combine(_package.Path, "tokenizer"), Path.Combine(_package.Path, "clip-vocab"));
        Directory.CreateDirectory(Path.Combine(_package.Path, "t5"));
        File.Move(Path.Combine(_package.Path, "tokenizer_2", "spiece.model"), Path.Combine(_package.Path, "t5", "t5.model"));
        _package.Write("flux.json", "{\"clipTokenizer\": \"clip-vocab\", \"t5Tokenizer\": \"t5/t5.model\"}");

        var (clip, t5) = TokenizeJson(Cat);

        Assert.Equal(ClipTokenizer.FromFiles(TokenizerTestFiles.ClipVocabJson, TokenizerTestFiles.ClipMergesTxt).Encode(Cat), clip);
        Assert.Equal(T5Tokenizer.FromFile(TokenizerTestFiles.T5SpieceModel, 256).Encode(Cat), t5);
    }

    [Fact]
    public void T5MaxLengthOption_OverridesFluxJson()
    {
        _package.Write("flux.json", "{\"variant\": \"dev\"}");

        var (_, t5) = TokenizeJson(Cat, "--t5-max-length", "64");

        Assert.Equal(64, t5.Length);
    }

    [Fact]
    public void Text_PrintsBothIdLists()
    {
        var (exitCode, output, _) = CliRunner.Run("tokenize", "--model", _package.Path, Cat);

        Assert.Equal(0, exitCode);
        Assert.Contains("clip (77 ids): 49406 320 1125 539 320 2368 49407 49407", output, StringComparison.Ordinal);
        Assert.Contains("t5 (256 ids): ", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("abc", "'abc' is not a whole number")]
    [InlineData("1", "1 is out of range")]
    [InlineData("4097", "4097 is out of range")]
    public void InvalidT5MaxLength_IsAOneLineUsageErrorNamingTheOptionAndTheRange(string value, string problem)
    {
        var (exitCode, output, error) = CliRunner.Run("tokenize", "--model", _package.Path, "--t5-max-length", value, Cat);

        Assert.Equal(2, exitCode);
        Assert.Empty(output);
        Assert.Equal($"error: --t5-max-length {problem} (allowed: 2 to 4096)", error);
    }

    [Fact]
    public void MissingModelFolder_IsAUsageErrorNamingTheOption()
    {
        string missing = Path.Combine(_package.Path, "no-such-folder");

        var (exitCode, _, error) = CliRunner.Run("tokenize", "--model", missing, Cat);

        Assert.Equal(2, exitCode);
        Assert.StartsWith($"error: --model '{missing}' is not a folder (allowed: ", error, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error);
    }

    [Theory]
    [InlineData("tiny")]
    [InlineData("reference")]
    public void BuiltInPackageName_IsAcceptedAsEverywhereElse(string model)
    {
        var (exitCode, output, error) = CliRunner.Run("tokenize", "--model", model, "--json", Cat);

        Assert.True(exitCode == 0, error);
        using var json = JsonDocument.Parse(output);
        Assert.Equal([49406, 320, 1125, 539, 320, 2368, 49407], Ids(json.RootElement.GetProperty("clip"))[..7]);
    }

    [Fact]
    public void NoModelOption_TokenizesWithTheDefaultReferencePackage()
    {
        var (exitCode, output, _) = CliRunner.Run("tokenize", "--json", Cat);

        Assert.Equal(0, exitCode);
        Assert.Equal(CliRunner.Run("tokenize", "--model", "reference", "--json", Cat).Output, output);
    }

    [Fact]
    public void FolderWithoutSpieceModel_FailsNamingTheMissingFile()
    {
        string spiece = Path.Combine(_package.Path, "tokenizer_2", "spiece.model");
        File.Delete(spiece);

        var (exitCode, output, error) = CliRunner.Run("tokenize", "--model", _package.Path, "--json", Cat);

        Assert.Equal(1, exitCode);
        Assert.Empty(output);
        Assert.Contains(spiece, error, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error);
    }

    [Fact]
    public void DamagedFluxJson_FailsNamingTheFile()
    {
        string manifest = _package.Write("flux.json", "{ not json");

        var (exitCode, _, error) = CliRunner.Run("tokenize", "--model", _package.Path, "--json", Cat);

        Assert.Equal(1, exitCode);
        Assert.Contains(manifest, error, StringComparison.Ordinal);
    }

    private (long[] Clip, long[] T5) TokenizeJson(string prompt, params string[] options)
    {
        var (exitCode, output, error) = CliRunner.Run(["tokenize", "--model", _package.Path, "--json", .. options, prompt]);
        Assert.True(exitCode == 0, error);
        using var json = JsonDocument.Parse(output);
        Assert.Equal(["clip", "t5"], json.RootElement.EnumerateObject().Select(p => p.Name));
        return (Ids(json.RootElement.GetProperty("clip")), Ids(json.RootElement.GetProperty("t5")));
    }

    private static long[] Ids(JsonElement array) => [.. array.EnumerateArray().Select(e => e.GetInt64())];

    /// <summary>A package folder with only tokenizer/{vocab.json,merges.txt} and tokenizer_2/spiece.model.</summary>
    private static TemporaryFolder TokenizerOnlyPackage()
    {
        var folder = new TemporaryFolder();
        Directory.CreateDirectory(Path.Combine(folder.Path, "tokenizer"));
        Directory.CreateDirectory(Path.Combine(folder.Path, "tokenizer_2"));
        File.Copy(TokenizerTestFiles.ClipVocabJson, Path.Combine(folder.Path, "tokenizer", "vocab.json"));
        File.Copy(TokenizerTestFiles.ClipMergesTxt, Path.Combine(folder.Path, "tokenizer", "merges.txt"));
        File.Copy(TokenizerTestFiles.T5SpieceModel, Path.Combine(folder.Path, "tokenizer_2", "spiece.model"));
        return folder;
    }
}
