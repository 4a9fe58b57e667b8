using System.Text.Json;
using Flux.Functions.Orchestrations;

namespace Flux.Functions.Tests;

/// <summary>The image's custom status is also the status API's currentSteps entry: its stage is written in the API's words.</summary>
public sealed class ImageProgressJsonTests
{
    [Theory]
    [InlineData(nameof(ImageStage.Encoding), "encoding")]
    [InlineData(nameof(ImageStage.Denoising), "denoising")]
    [InlineData(nameof(ImageStage.Decoding), "decoding")]
    [InlineData(nameof(ImageStage.Completed), "completed")]
    public void Stage_IsWrittenAsTheStatusApisWord_AndReadBack(string name, string word)
    {
        var stage = Enum.Parse<ImageStage>(name);   // by name: a theory's parameters are public, the app's types internal
        string json = JsonSerializer.Serialize(new ImageProgress(stage, 3, 8), JsonSerializerOptions.Web);

        Assert.Equal($$"""{"stage":"{{word}}","step":3,"totalSteps":8}""", json);
        Assert.Equal(new ImageProgress(stage, 3, 8), JsonSerializer.Deserialize<ImageProgress>(json, JsonSerializerOptions.Web));
    }

    [Fact]
    public void Stage_StoredAsANumberByAnEarlierVersion_IsStillRead()
        => Assert.Equal(ImageStage.Denoising, JsonSerializer.Deserialize<ImageProgress>("""{"stage":1,"step":2,"totalSteps":8}""", JsonSerializerOptions.Web)!.Stage);
}
