using Flux.Functions.Jobs;
using Flux.Functions.Rendering;
using Flux.Inference;

namespace Flux.Functions.Tests;

public sealed class JobValidatorTests
{
    private static readonly ModelDefaults Model = new(512, 512, 4, 3.5f, "euler", FixedSize: false);

    private static JobValidation Validate(JobRequest request, FluxOptions? limits = null, ModelDefaults? model = null)
        => new JobValidator(limits ?? new FluxOptions(), model ?? Model).Validate(request, "job-1");

    [Fact]
    public void MissingFields_ComeFromTheJobDefaultsThenTheModel()
    {
        var request = new JobRequest(
            [new JobItemRequest("  a red circle  "), new JobItemRequest("a blue square", Width: 256, Sampler: "HEUN")],
            Defaults: new JobItemRequest(Steps: 8, Seed: 100));

        var job = Validate(request).Job!;

        Assert.Equal(new GenerationSettings("a red circle", 512, 512, 8, 3.5f, 100, "euler", 0), job.Items[0]);
        Assert.Equal(new GenerationSettings("a blue square", 256, 512, 8, 3.5f, 101, "heun", 1), job.Items[1]);
        Assert.Equal("job-1", job.JobId);
    }

    [Fact]
    public void SeedsLeftOut_AreDerivedFromJobAndIndex_StableAndDistinct()
    {
        var request = new JobRequest([new JobItemRequest("a"), new JobItemRequest("a")]);

        var first = Validate(request).Job!;
        var again = Validate(request).Job!;

        Assert.Equal(first.Items.Select(i => i.Seed), again.Items.Select(i => i.Seed));
        Assert.NotEqual(first.Items[0].Seed, first.Items[1].Seed);
        Assert.All(first.Items, i => Assert.True(i.Seed >= 0));
    }

    [Fact]
    public void Limits_ComeFromOptions()
    {
        var limits = new FluxOptions { MaxImagesPerJob = 2, MaxPromptLength = 5 };

        var errors = Validate(new JobRequest([new JobItemRequest("abcdef"), new JobItemRequest("a"), new JobItemRequest("b")]), limits).Errors;

        Assert.Equal(["3 items exceed the limit of 2 images per job"], errors["items"]);
        Assert.Equal(["prompt of 6 characters exceeds the limit of 5"], errors["items[0].prompt"]);
    }

    [Fact]
    public void FixedSizeModel_RejectsOtherSizes()
    {
        var fixedModel = Model with { Width = 64, Height = 64, FixedSize = true };

        var errors = Validate(new JobRequest([new JobItemRequest("a", Width: 128)]), model: fixedModel).Errors;

        Assert.Equal(["width 128 is not supported by this model package: it renders width 64 only"], errors["items[0].width"]);
        Assert.True(Validate(new JobRequest([new JobItemRequest("a")]), model: fixedModel).IsValid);
    }

    [Fact]
    public void InvalidDefaults_AreReportedUnderDefaults()
    {
        var errors = Validate(new JobRequest([new JobItemRequest("a", Steps: 2)], Defaults: new JobItemRequest(Sampler: "ddim"))).Errors;

        Assert.Contains("defaults.sampler", errors.Keys);
    }

    /// <summary>The service reads the pipeline's rules: the same value gets the same words from both, under the field's path.</summary>
    [Theory]
    [InlineData("width", 1000)]
    [InlineData("width", 4112)]
    [InlineData("height", 8)]
    [InlineData("steps", 0)]
    [InlineData("steps", 1001)]
    [InlineData("guidance", -1)]
    [InlineData("guidance", 101)]
    public void ImageFields_AreRefusedWithThePipelinesOwnProblem(string field, int value)
    {
        var widest = new FluxOptions { MaxWidth = GenerationSettings.MaxSide, MaxHeight = GenerationSettings.MaxSide, MaxSteps = GenerationSettings.MaxSteps };
        var item = field switch
        {
            "width" => new JobItemRequest("a", Width: value),
            "height" => new JobItemRequest("a", Height: value),
            "steps" => new JobItemRequest("a", Steps: value),
            _ => new JobItemRequest("a", Guidance: value),
        };
        var settings = new GenerationSettings("a", item.Width ?? 512, item.Height ?? 512, item.Steps ?? 4, item.Guidance ?? 3.5f, 1, "euler", 0);

        var errors = Validate(new JobRequest([item, new JobItemRequest("b")]), widest).Errors;

        var pipeline = Assert.Single(settings.Problems());
        Assert.Equal(field, pipeline.Field);
        Assert.Equal([$"items[0].{field}"], errors.Keys);
        Assert.Equal([pipeline.Message], errors[$"items[0].{field}"]);
    }

    /// <summary>Whatever the service's limits allow, the pipeline accepts: the largest job the widest settings let through validates in the library.</summary>
    [Fact]
    public void LargestJobTheWidestServiceAccepts_PassesThePipelinesValidation()
    {
        var widest = new FluxOptions { MaxWidth = GenerationSettings.MaxSide, MaxHeight = GenerationSettings.MaxSide, MaxSteps = GenerationSettings.MaxSteps };
        var request = new JobRequest([new JobItemRequest("a", Width: widest.MaxWidth, Height: widest.MaxHeight, Steps: widest.MaxSteps, Guidance: 100, Sampler: "RK4")]);

        var job = Validate(request, widest).Job!;

        Assert.Empty(job.Items[0].Problems());
        job.Items[0].Validate();
    }

    [Fact]
    public void ServiceLimits_NarrowerThanThePipelines_AreReportedWithTheServiceMaximum()
    {
        var errors = Validate(new JobRequest([new JobItemRequest("a", Width: 2064, Steps: 101)])).Errors;

        Assert.Equal(["width 2064 is out of range: it must be between 16 and 2048 pixels"], errors["items[0].width"]);
        Assert.Equal(["steps 101 is out of range: it must be between 1 and 100"], errors["items[0].steps"]);
    }

    [Fact]
    public void UnknownSampler_IsQuotedSafely_WithThePipelinesSamplerNames()
    {
        var errors = Validate(new JobRequest([new JobItemRequest("a", Sampler: "dd\u001bim")])).Errors;

        Assert.Equal(["sampler \"dd\\u001Bim\" is not one of euler, heun, rk4"], errors["items[0].sampler"]);
    }
}
