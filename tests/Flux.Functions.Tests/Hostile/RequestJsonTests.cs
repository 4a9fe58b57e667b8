using Flux.Functions.Jobs;

namespace Flux.Functions.Tests.Hostile;

public sealed class RequestJsonTests
{
    [Theory]
    [InlineData("""{"items": [{"prompt": "a", "width": "wide"}]}""", "items[0].width", "expected a whole number")]
    [InlineData("""{"items": [{"prompt": "a", "width": 512.5}]}""", "items[0].width", "expected a whole number")]
    [InlineData("""{"items": [{"prompt": "a", "seed": "abc"}]}""", "items[0].seed", "expected a whole number from 0 to 9223372036854775807")]
    [InlineData("""{"items": [{"prompt": "a", "guidance": "NaN"}]}""", "items[0].guidance", "expected a finite number")]
    [InlineData("""{"items": [{"prompt": "a", "steps": "4"}]}""", "items[0].steps", "expected a whole number")]
    [InlineData("""{"items": [{"prompt": 42}]}""", "items[0].prompt", "expected a string")]
    [InlineData("""{"items": "a"}""", "items", "expected an array of item objects ([{\"prompt\": \"...\"}])")]
    [InlineData("""{"items": [{"prompt": "a", "step": 4}]}""", "items[0].step", "unknown field \"step\"; the fields here are prompt, width, height, steps, guidance, seed, sampler, negativePrompt, trueCfgScale, prompt2, image, strength, mask, format, quality, size")]
    [InlineData("""{"items": [{"prompt": "a"}], "notify": {"tags": "x"}}""", "notify.tags", "unknown field \"tags\"; the fields here are events, tag, webhook")]
    [InlineData("""{"items": [{"prompt": "a"}], "priority": 1}""", "priority", "unknown field \"priority\"; the fields here are items, defaults, notify, jobId, model")]
    [InlineData("""[]""", "$", "expected a job object ({\"items\": [{\"prompt\": \"...\"}]})")]
    [InlineData("""null""", "$", "expected a job object, not null")]
    public void Parse_NamesTheFieldAndSaysWhatItTakes(string json, string field, string message)
    {
        var (request, errors) = JobStarter.Parse(json);

        Assert.Null(request);
        Assert.Equal(message, Assert.Single(errors[field]));
    }

    [Theory]
    [InlineData("""{"items": [{"prompt": "a", "guidance": NaN}]}""", "items[0].guidance", "not valid JSON ('N' is an invalid start of a value at line 1")]
    [InlineData("""{"items": [{"prompt": "a", "steps": 4, "steps": 5}]}""", "items[0].steps", "not valid JSON")]
    [InlineData("", "$", "not valid JSON")]
    [InlineData("""{"items": [{"prompt": "a"}""", "items[1]", "not valid JSON")]
    public void Parse_OfBrokenOrRepeatedJson_SaysItIsNotValidJson(string json, string field, string start)
    {
        var (request, errors) = JobStarter.Parse(json);

        Assert.Null(request);
        Assert.StartsWith(start, Assert.Single(errors[field]), StringComparison.Ordinal);
    }

    [Fact]
    public void JsonlLine_IsReadAsAnItem()
    {
        var (request, errors) = PromptFile.Parse("b.jsonl", "{\"prompt\": \"a\", \"model\": \"x\"}");

        Assert.Null(request);
        Assert.Equal("line 1, model: unknown field \"model\"; the fields here are prompt, width, height, steps, guidance, seed, sampler, negativePrompt, trueCfgScale, prompt2, image, strength, mask, format, quality, size", Assert.Single(errors));
    }
}
