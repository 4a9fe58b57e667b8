using Flux.Tests.Shared;
using SixLabors.ImageSharp;

namespace Flux.Cli.Tests;

/// <summary>`flux generate --prompts FILE`, @FILE and "-": the service's prompt list formats, named outputs, --count.</summary>
public sealed class PromptListTests : IDisposable
{
    private static readonly string[] Tiny = ["--model", "tiny", "--provider", "cpu", "--width", "64", "--height", "64", "--steps", "1"];
    private readonly TemporaryFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void TextList_SkipsCommentsAndBlankLines_AndWritesOneIndexedImagePerPrompt_EqualToSingleRuns()
    {
        string list = _folder.Write("prompts.txt", "# two animals\n a cat \n\n# done with cats\na dog\n");

        var (exitCode, _, error) = CliRunner.Run(["generate", "--prompts", list, "-o", Out("list.png"), .. Tiny]);

        Assert.True(exitCode == 0, error);
        Assert.Equal(["list-0.png", "list-1.png"], OutputNames("list"));
        Assert.Equal(Single("a cat"), File.ReadAllBytes(Out("list-0.png")));
        Assert.Equal(Single("a dog"), File.ReadAllBytes(Out("list-1.png")));
    }

    [Fact]
    public void JsonLinesList_AppliesEachItemsSettings_OverTheCommandLine()
    {
        string list = _folder.Write("items.jsonl", "{\"prompt\": \"a cat\", \"seed\": 7}\n\n{\"prompt\": \"a dog\", \"width\": 32, \"sampler\": \"heun\"}\n");

        var (exitCode, _, error) = CliRunner.Run(["generate", "--prompts", list, "-o", Out("items.png"), .. Tiny]);

        Assert.True(exitCode == 0, error);
        Assert.Equal(Single("a cat", "--seed", "7"), File.ReadAllBytes(Out("items-0.png")));
        Assert.Equal((32, 64), Size(Out("items-1.png")));
        Assert.Equal(Single("a dog", "--sampler", "heun", "--width", "32"), File.ReadAllBytes(Out("items-1.png")));
    }

    [Fact]
    public void Count_ComposesWithTheList_PromptByPromptThenImageByImage()
    {
        string list = _folder.Write("two.txt", "a cat\na dog\n");

        Assert.Equal(0, CliRunner.Run(["generate", $"@{list}", "--count", "2", "-o", Out("grid.png"), .. Tiny]).ExitCode);   // @FILE = --prompts FILE

        Assert.Equal(["grid-0.png", "grid-1.png", "grid-2.png", "grid-3.png"], OutputNames("grid"));
        Assert.Equal(0, CliRunner.Run(["generate", "a dog", "--count", "2", "-o", Out("dog.png"), .. Tiny]).ExitCode);
        Assert.Equal(File.ReadAllBytes(Out("dog-0.png")), File.ReadAllBytes(Out("grid-2.png")));
        Assert.Equal(File.ReadAllBytes(Out("dog-1.png")), File.ReadAllBytes(Out("grid-3.png")));
    }

    [Fact]
    public void Dash_ReadsTheListFromStandardInput()
    {
        using var flux = CliRunner.Start(["generate", "-", "-o", Out("piped.png"), .. Tiny]);
        flux.StandardInput.Write("# from a pipe\na cat\na dog\n");
        flux.StandardInput.Close();
        string error = flux.StandardError.ReadToEnd();
        flux.StandardOutput.ReadToEnd();
        flux.WaitForExit();

        Assert.True(flux.ExitCode == 0, error);
        Assert.Equal(Single("a dog"), File.ReadAllBytes(Out("piped-1.png")));
    }

    [Theory]
    [InlineData("bad.jsonl", "{\"prompt\": \"a\"}\n{\"prompt\": \"b\", \"step\": 4}\n{\"prompt\": \"c\", \"width\": \"64\"}\n",
        "error: --prompts {0}: line 2, step: unknown field 'step'; the fields are prompt, width, height, size, steps, guidance, seed, sampler, negativePrompt, trueCfgScale, prompt2, image, strength, mask; line 3, width: expected a whole number")]
    [InlineData("noprompt.jsonl", "{\"seed\": 1}\n", "error: --prompts {0}: line 1, prompt: is required ({{\"prompt\": \"...\"}})")]
    [InlineData("empty.txt", "# nothing\n\n", "error: --prompts {0} holds no prompts (allowed: .txt (one prompt a line) or .jsonl (one item a line))")]
    [InlineData("list.csv", "a cat\n", "error: --prompts '{0}' has extension '.csv' (allowed: .txt (one prompt a line) or .jsonl (one item a line))")]
    [InlineData("size.jsonl", "{\"prompt\": \"a\", \"size\": \"square\", \"width\": 64}\n", "error: size cannot be combined with width/height (allowed: either size or width/height)")]
    public void BadLists_AreUsageErrorsNamingTheFileLineAndField(string name, string content, string message)
    {
        string list = _folder.Write(name, content);

        var (exitCode, _, error) = CliRunner.Run(["generate", "--prompts", list, "-o", Out("x.png"), .. Tiny]);

        Assert.Equal(2, exitCode);
        Assert.Equal(string.Format(System.Globalization.CultureInfo.InvariantCulture, message, list), error);
        Assert.Empty(OutputNames("x"));
    }

    [Theory]
    [InlineData(new string[0], "error: PROMPT is required (allowed: either PROMPT (or @FILE, -) or --prompts FILE)")]
    [InlineData(new[] { "a cat", "--prompts", "p.txt" }, "error: --prompts cannot be combined with PROMPT (allowed: either PROMPT (or @FILE, -) or --prompts FILE)")]
    [InlineData(new[] { "--prompts", "/no/such/list.txt" }, "error: --prompts '/no/such/list.txt' does not exist (allowed: a .txt (one prompt a line) or .jsonl (one item a line) file, or - for standard input)")]
    public void PromptSourceMistakes_AreUsageErrors(string[] arguments, string message)
    {
        var (exitCode, _, error) = CliRunner.Run(["generate", .. arguments, .. Tiny]);

        Assert.Equal(2, exitCode);
        Assert.Equal(message, error);
    }

    private string Out(string name) => Path.Combine(_folder.Path, name);

    private string[] OutputNames(string stem) =>
        [.. Directory.GetFiles(_folder.Path, stem + "*.png").Select(f => Path.GetFileName(f)!).Order(StringComparer.Ordinal)];

    private byte[] Single(string prompt, params string[] options)
    {
        string path = Out($"single-{Guid.NewGuid():N}.png");
        var (exitCode, _, error) = CliRunner.Run(["generate", prompt, "-o", path, .. Tiny, .. options]);
        Assert.True(exitCode == 0, error);
        return File.ReadAllBytes(path);
    }

    private static (int Width, int Height) Size(string path)
    {
        var info = Image.Identify(path);
        return (info.Width, info.Height);
    }
}
