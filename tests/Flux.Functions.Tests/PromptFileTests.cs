using Flux.Functions.Jobs;

namespace Flux.Functions.Tests;

public sealed class PromptFileTests
{
    [Fact]
    public void Txt_HasOnePromptPerLine_SkippingBlankAndCommentLines()
    {
        var (request, errors) = PromptFile.Parse("a/b.TXT", "# header\r\n a red circle \n\n\ta blue square\n");

        Assert.Empty(errors);
        Assert.Equal(["a red circle", "a blue square"], request!.Items!.Select(i => i.Prompt));
    }

    [Fact]
    public void Jsonl_HasOneItemPerLine()
    {
        var (request, errors) = PromptFile.Parse("b.jsonl", "{\"prompt\": \"a\", \"seed\": 7}\n\n{\"prompt\": \"b\", \"width\": 256}\n");

        Assert.Empty(errors);
        Assert.Equal([new JobItemRequest("a", Seed: 7), new JobItemRequest("b", Width: 256)], request!.Items);
    }

    [Fact]
    public void Jsonl_WithABadLine_NamesTheLine()
    {
        var (request, errors) = PromptFile.Parse("b.jsonl", "{\"prompt\": \"a\"}\nnot json\n");

        Assert.Null(request);
        Assert.StartsWith("line 2, $: not valid JSON", Assert.Single(errors), StringComparison.Ordinal);
    }
}
