using System.Text.Json;
using Flux.Functions.Orchestrations;

namespace Flux.Functions.Tests;

/// <summary>The image's custom status is also the status API's currentSteps entry: its stage is written in the API's words.</summary>
public sealed class ImageProgressJsonTests
{
    [Theory]
    [InlineData(ImageStage.Encoding, "encoding")]
    [InlineData(ImageStage.Denoising, "denoising")]
    [InlineData(ImageStage.Decoding, "decoding")]
    [InlineData(ImageStage.Completed, "completed")]
    public void Stage_IsWrittenAsTheStatusApisWord_AndReadBack(ImageStage stage, string word)
    {
        string json = JsonSerializer.Serialize(new ImageProgress(stage, 3, 8), JsonSerializerOptions.Web);

        Assert.Equal($$"""{"stage":"{{word}}","step":3,"totalSteps":8}""", json);
        Assert.Equal(new ImageProgress(stage, 3, 8), JsonSerializer.Deserialize<ImageProgress>(json, JsonSerializerOptions.Web));
    }

    [Fact]
    public void Stage_StoredAsANumberByAnEarlierVersion_IsStillRead()
        => Assert.Equal(ImageStage.Denoising, JsonSerializer.Deserialize<ImageProgress>("""{"stage":1,"step":2,"totalSteps":8}""", JsonSerializerOptions.Web)!.Stage);
}
