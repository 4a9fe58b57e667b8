namespace Flux.Inference.Tests.Units;

public class GenerationSettingsTests
{
    private static readonly GenerationSettings Valid = new("a red circle", 256, 256, 4, 3.5f, 1, "euler", 0);

    public static TheoryData<GenerationSettings, string, string> Invalid => new()
    {
        { Valid with { Width = 1000 }, "width", "width 1000 is not a multiple of 16" },
        { Valid with { Height = 8 }, "height", "height 8 is out of range: it must be between 16 and 4096 pixels" },
        { Valid with { Width = 8192 }, "width", "width 8192 is out of range: it must be between 16 and 4096 pixels" },
        { Valid with { Steps = 0 }, "steps", "steps 0 is out of range: it must be between 1 and 1000" },
        { Valid with { Steps = 1001 }, "steps", "steps 1001 is out of range: it must be between 1 and 1000" },
        { Valid with { Guidance = float.NaN }, "guidance", "guidance NaN is out of range: it must be a finite number between 0 and 100" },
        { Valid with { Guidance = -1 }, "guidance", "guidance -1 is out of range: it must be a finite number between 0 and 100" },
        { Valid with { Guidance = 101 }, "guidance", "guidance 101 is out of range: it must be a finite number between 0 and 100" },
        { Valid with { Sampler = "ddim" }, "sampler", "sampler 'ddim' is not one of euler, heun, rk4" },
        { Valid with { Prompt = "a red\0circle" }, "prompt", "prompt contains a null character (U+0000) at position 5; image text metadata cannot hold it" },
        { Valid with { NegativePrompt = "\0" }, "negativePrompt", "negativePrompt contains a null character (U+0000) at position 0; image text metadata cannot hold it" },
        { Valid with { Prompt2 = "x\0" }, "prompt2", "prompt2 contains a null character (U+0000) at position 1; image text metadata cannot hold it" },
        { Valid with { TrueCfgScale = 0.5f, NegativePrompt = "" }, "trueCfgScale", "trueCfgScale 0.5 is out of range: it must be a finite number between 1 (off) and 20" },
        { Valid with { TrueCfgScale = float.PositiveInfinity, NegativePrompt = "" }, "trueCfgScale", "trueCfgScale Infinity is out of range: it must be a finite number between 1 (off) and 20" },
        { Valid with { TrueCfgScale = 3 }, "trueCfgScale", "trueCfgScale 3 needs a negativePrompt (\"\" for the empty prompt)" },
        { Valid with { Strength = 1.5f, Image = "in.png" }, "strength", "strength 1.5 is out of range: it must be a finite number between 0 and 1" },
        { Valid with { Strength = 0.6f }, "strength", "strength 0.6 needs an image to start from: give image too, or strength 1 for text-to-image" },
        { Valid with { Mask = "mask.png" }, "mask", "mask needs an image to inpaint: give image too" },
        { Valid with { Format = "gif" }, "format", "format 'gif' is not one of png, jpeg, webp" },
        { Valid with { Quality = 80 }, "quality", "quality applies to jpeg and webp only; png is lossless" },
        { Valid with { Format = "jpeg", Quality = 0 }, "quality", "quality 0 is out of range: it must be between 1 and 100" },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void Validate_NamesTheFieldAndTheAllowedRange(GenerationSettings settings, string field, string message)
    {
        var ex = Assert.Throws<InvalidGenerationSettingsException>(() => settings.Validate());
        Assert.Equal(field, ex.Field);
        Assert.Equal(message, ex.Message);
    }

    [Fact]
    public void Validate_AcceptsTheLimits()
    {
        (Valid with { Width = 16, Height = 4096, Steps = 1000, Guidance = 100, Sampler = "RK4" }).Validate();
        (Valid with { Steps = 1, Guidance = 0, Sampler = "heun" }).Validate();
        (Valid with { NegativePrompt = "", TrueCfgScale = 20, Prompt2 = "t5 text" }).Validate();
        (Valid with { Image = "in.png", Strength = 0, Mask = "mask.png" }).Validate();
        (Valid with { Format = "WEBP", Quality = 1 }).Validate();
        (Valid with { Format = "jpg", Quality = 100 }).Validate();
    }

    [Fact]
    public void Problems_NamesEveryBadField_NotOnlyTheFirst()
    {
        var settings = Valid with { Width = 1000, Steps = 0, Sampler = "ddim" };

        Assert.Equal(["width", "steps", "sampler"], settings.Problems().Select(p => p.Field));
    }

    [Fact]
    public void Problems_WithNarrowerLimits_UseTheirMaxima()
    {
        var service = new GenerationLimits(MaxWidth: 512, MaxHeight: 256, MaxSteps: 10);

        Assert.Equal(
            ["width 1024 is out of range: it must be between 16 and 512 pixels", "height 512 is out of range: it must be between 16 and 256 pixels",
             "steps 11 is out of range: it must be between 1 and 10"],
            (Valid with { Width = 1024, Height = 512, Steps = 11 }).Problems(service).Select(p => p.Message));
        Assert.Empty((Valid with { Width = 512, Height = 256, Steps = 10 }).Problems(service));
    }

    [Fact]
    public void PngText_RecordsEveryGenerationParameter()
    {
        var text = Valid.PngText("tiny").ToDictionary(p => p.Key, p => p.Value);
        Assert.Equal("a red circle", text["prompt"]);
        Assert.Equal("1", text["seed"]);
        Assert.Equal("4", text["steps"]);
        Assert.Equal("3.5", text["guidance"]);
        Assert.Equal("euler", text["sampler"]);
        Assert.Equal("tiny", text["model"]);
        Assert.Equal("256x256", text["size"]);
        Assert.False(text.ContainsKey("negative-prompt") || text.ContainsKey("strength") || text.ContainsKey("prompt2"));
    }

    [Fact]
    public void PngText_RecordsTheOptionalFeaturesInUse()
    {
        var text = (Valid with { NegativePrompt = "blurry", TrueCfgScale = 2.5f, Prompt2 = "for t5", Image = "in.png", Strength = 0.75f, Mask = "m.png" })
            .PngText("tiny").ToDictionary(p => p.Key, p => p.Value);

        Assert.Equal(("blurry", "2.5", "for t5"), (text["negative-prompt"], text["true-cfg-scale"], text["prompt2"]));
        Assert.Equal(("in.png", "0.75", "m.png"), (text["image"], text["strength"], text["mask"]));
    }
}
