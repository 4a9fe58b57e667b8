using Flux.Functions.Jobs;
using Flux.Functions.Rendering;
using Flux.Inference;

namespace Flux.Functions.Tests;

/// <summary>
/// Issue 13's item fields as the three entry points read them (JSON through <see cref="RequestJson"/>, then
/// <see cref="JobValidator"/>): each is accepted into <see cref="GenerationSettings"/>, and each bad value is refused
/// under its field's path.
/// </summary>
public sealed class JobItemFieldsTests
{
    private static readonly ModelDefaults Model = new(512, 512, 4, 3.5f, "euler", FixedSize: false);

    private static JobValidation Validate(string json)
    {
        var (request, errors) = JobStarter.Parse(json);
        Assert.True(request is not null, string.Join("; ", JobValidation.ReasonsOf(errors)));
        return new JobValidator(new FluxOptions(), Model).Validate(request, "job-1");
    }

    private static GenerationSettings Item(string fields) => Assert.Single(Validate($$"""{"items": [{"prompt": "a red circle", {{fields}}}]}""").Job!.Items);

    [Fact]
    public void TrueCfg_NegativePrompt_AndPrompt2_ReachTheSettings()
    {
        var item = Item("\"negativePrompt\": \"blurry\", \"trueCfgScale\": 3.5, \"prompt2\": \"a red circle, detailed\"");

        Assert.Equal(("blurry", 3.5f, "a red circle, detailed"), (item.NegativePrompt, item.TrueCfgScale, item.Prompt2));
        Assert.True(item.UsesTrueCfg);
    }

    [Fact]
    public void EmptyNegativePrompt_IsTheEmptyPrompt()
        => Assert.Equal("", Item("\"negativePrompt\": \"\", \"trueCfgScale\": 2").NegativePrompt);

    [Fact]
    public void FormatAndQuality_ReachTheSettings_JpgMeaningJpeg()
    {
        var item = Item("\"format\": \"JPG\", \"quality\": 75");

        Assert.Equal((Inference.Imaging.ImageFormat.Jpeg, 75), (item.OutputFormat, item.Quality));
        Assert.Equal(Inference.Imaging.ImageFormat.Webp, Item("\"format\": \"webp\"").OutputFormat);
        Assert.Equal(Inference.Imaging.ImageFormat.Png, Item("\"steps\": 2").OutputFormat);
    }

    [Theory]
    [InlineData("square_hd", 1024, 1024)]
    [InlineData("portrait_16_9", 576, 1024)]
    [InlineData("LANDSCAPE_4_3", 1024, 768)]
    public void SizePreset_SetsWidthAndHeight(string size, int width, int height)
        => Assert.Equal((width, height), (Item($"\"size\": \"{size}\"").Width, Item($"\"size\": \"{size}\"").Height));

    [Fact]
    public void ItemSize_OverridesTheDefaultsSize_AndTheDefaultsPresetFillsItemsWithoutOne()
    {
        var job = Validate("""{"items": [{"prompt": "a", "size": "square"}, {"prompt": "b"}, {"prompt": "c", "width": 256}], "defaults": {"size": "landscape_16_9"}}""").Job!;

        Assert.Equal([(512, 512), (1024, 576), (256, 576)], job.Items.Select(i => (i.Width, i.Height)));
    }

    [Fact]
    public void ImageBlobAndStrength_ReachTheSettings_ByName()
    {
        var validation = Validate("""{"items": [{"prompt": "a", "image": {"blob": "cats/cat.png"}, "strength": 0.6, "mask": {"blob": "cats/mask.png"}}]}""");

        var item = Assert.Single(validation.Job!.Items);
        Assert.Equal(("cats/cat.png", 0.6f, "cats/mask.png"), (item.Image, item.Strength, item.Mask));
        Assert.Equal(
            [new JobInputImage(0, ImageRole.Image, "items[0].image", new ImageInput(Blob: "cats/cat.png"), 512, 512),
             new JobInputImage(0, ImageRole.Mask, "items[0].mask", new ImageInput(Blob: "cats/mask.png"), 512, 512)],
            validation.Inputs);
    }

    [Fact]
    public void DefaultImage_IsOneInputNamedUnderDefaults_ForEveryItem()
    {
        var validation = Validate("""{"items": [{"prompt": "a"}, {"prompt": "b", "width": 256}], "defaults": {"image": {"base64": "iVBORw0KGgo="}, "strength": 0.5}}""");

        Assert.Equal(["defaults.image", "defaults.image"], validation.Inputs.Select(i => i.Field));
        Assert.Equal([512, 256], validation.Inputs.Select(i => i.Width));
        Assert.All(validation.Job!.Items, i => Assert.Equal(JobInputImages.UploadMark + "defaults.image", i.Image));
    }

    [Theory]
    [InlineData("\"trueCfgScale\": 0.5, \"negativePrompt\": \"x\"", "items[0].trueCfgScale", "trueCfgScale 0.5 is out of range")]
    [InlineData("\"trueCfgScale\": 21, \"negativePrompt\": \"x\"", "items[0].trueCfgScale", "trueCfgScale 21 is out of range")]
    [InlineData("\"trueCfgScale\": 3", "items[0].trueCfgScale", "trueCfgScale 3 needs a negativePrompt")]
    [InlineData("\"trueCfgScale\": \"3\"", "items[0].trueCfgScale", "expected a finite number")]
    [InlineData("\"negativePrompt\": \"a\\u001b[2J\"", "items[0].negativePrompt", "negativePrompt contains the control character U+001B")]
    [InlineData("\"negativePrompt\": 7", "items[0].negativePrompt", "expected a string")]
    [InlineData("\"prompt2\": \"  \"", "items[0].prompt2", "a non-empty prompt2 is required")]
    [InlineData("\"prompt2\": \"x\\u0000\"", "items[0].prompt2", "prompt2 contains the control character U+0000")]
    [InlineData("\"strength\": 1.5, \"image\": {\"blob\": \"a.png\"}", "items[0].strength", "strength 1.5 is out of range")]
    [InlineData("\"strength\": 0.5", "items[0].strength", "strength 0.5 needs an image to start from")]
    [InlineData("\"strength\": \"half\"", "items[0].strength", "expected a finite number")]
    [InlineData("\"mask\": {\"blob\": \"m.png\"}", "items[0].mask", "mask needs an image to inpaint")]
    [InlineData("\"image\": {}", "items[0].image", "give exactly one of base64")]
    [InlineData("\"image\": {\"base64\": \"iVBORw0KGgo=\", \"blob\": \"a.png\"}", "items[0].image", "give exactly one of base64")]
    [InlineData("\"image\": {\"url\": \"https://example.com/a.png\"}", "items[0].image.url", "unknown field \"url\"; the fields here are base64, blob")]
    [InlineData("\"image\": \"https://example.com/a.png\"", "items[0].image", "expected an object")]
    [InlineData("\"image\": {\"blob\": \"../flux-images/a.png\"}", "items[0].image", "blob name \"../flux-images/a.png\" must be")]
    [InlineData("\"image\": {\"blob\": \"/etc/passwd\"}", "items[0].image", "blob name \"/etc/passwd\" must be")]
    [InlineData("\"image\": {\"blob\": \"a/../../b.png\"}", "items[0].image", "blob name")]
    [InlineData("\"image\": {\"blob\": \"a%2F..%2Fb.png\"}", "items[0].image", "blob name")]
    [InlineData("\"image\": {\"blob\": \"a\\\\b.png\"}", "items[0].image", "blob name")]
    [InlineData("\"image\": {\"base64\": \"not base64!\"}", "items[0].image", "base64 is not valid base64")]
    [InlineData("\"image\": {\"base64\": \"data:image/png;base64,iVBORw0KGgo=\"}", "items[0].image", "base64 is not valid base64")]
    [InlineData("\"mask\": {\"base64\": \"@@@@\"}, \"image\": {\"blob\": \"a.png\"}", "items[0].mask", "base64 is not valid base64")]
    [InlineData("\"format\": \"gif\"", "items[0].format", "format \"gif\" is not one of png, jpeg, webp")]
    [InlineData("\"format\": 1", "items[0].format", "expected a string")]
    [InlineData("\"format\": \"jpeg\", \"quality\": 0", "items[0].quality", "quality 0 is out of range: it must be between 1 and 100")]
    [InlineData("\"format\": \"webp\", \"quality\": 101", "items[0].quality", "quality 101 is out of range")]
    [InlineData("\"quality\": 90", "items[0].quality", "quality applies to jpeg and webp only")]
    [InlineData("\"quality\": 9.5", "items[0].quality", "expected a whole number from 1 to 100")]
    [InlineData("\"size\": \"huge\"", "items[0].size", "size \"huge\" is not a size preset: it must be one of square_hd, square, portrait_4_3")]
    [InlineData("\"size\": \"square\", \"width\": 512", "items[0].size", "size \"square\" and width/height both give the size")]
    [InlineData("\"size\": \"square\", \"height\": 512", "items[0].size", "size \"square\" and width/height both give the size")]
    public void BadValue_IsRefusedUnderItsField(string fields, string field, string message)
    {
        var (request, parseErrors) = JobStarter.Parse($$"""{"items": [{"prompt": "a red circle", {{fields}}}]}""");
        var errors = request is null ? parseErrors : new JobValidator(new FluxOptions(), Model).Validate(request, "job-1").Errors;

        Assert.True(errors.ContainsKey(field), $"{field} not in {string.Join(", ", errors.Keys)}");
        Assert.StartsWith(message, errors[field][0], StringComparison.Ordinal);
    }

    [Fact]
    public void BadDefaults_AreRefusedUnderDefaults()
    {
        var errors = Validate("""{"items": [{"prompt": "a"}], "defaults": {"format": "bmp", "size": "tiny", "trueCfgScale": 50, "image": {"blob": "../x"}}}""").Errors;

        Assert.Superset(new HashSet<string> { "defaults.format", "defaults.size", "defaults.trueCfgScale", "defaults.image" }, errors.Keys.ToHashSet());
    }

    [Fact]
    public void SizePreset_LargerThanTheServiceAllows_IsRefusedUnderSize()
    {
        var (request, _) = JobStarter.Parse("""{"items": [{"prompt": "a", "size": "square_hd"}]}""");

        var errors = new JobValidator(new FluxOptions { MaxWidth = 512, MaxHeight = 512 }, Model).Validate(request, "job-1").Errors;

        Assert.StartsWith("width 1024 is out of range", errors["items[0].size"][0], StringComparison.Ordinal);
    }

    [Fact]
    public void OversizedBase64_IsRefusedFromItsLength_BeforeDecoding()
    {
        string base64 = new('A', 4 * 1024);
        var (request, _) = JobStarter.Parse($"{{\"items\": [{{\"prompt\": \"a\", \"image\": {{\"base64\": \"{base64}\"}}}}]}}");

        var errors = new JobValidator(new FluxOptions { MaxInputImageBytes = 1024 }, Model).Validate(request, "job-1").Errors;

        Assert.Equal(["base64 image of about 3072 bytes exceeds the input image limit of 1024 bytes (Flux:MaxInputImageBytes)"], errors["items[0].image"]);
    }
}
