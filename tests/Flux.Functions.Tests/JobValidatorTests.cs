using Flux.Functions.Jobs;
using Flux.Functions.Rendering;

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

        Assert.Equal(new RenderSpec("a red circle", 512, 512, 8, 3.5f, 100, "euler", 0), job.Items[0]);
        Assert.Equal(new RenderSpec("a blue square", 256, 512, 8, 3.5f, 101, "heun", 1), job.Items[1]);
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

        Assert.Equal(["width 128 is not supported by this model, which renders only 64x64"], errors["items[0].width"]);
        Assert.True(Validate(new JobRequest([new JobItemRequest("a")]), model: fixedModel).IsValid);
    }

    [Fact]
    public void InvalidDefaults_AreReportedUnderDefaults()
    {
        var errors = Validate(new JobRequest([new JobItemRequest("a", Steps: 2)], Defaults: new JobItemRequest(Sampler: "ddim"))).Errors;

        Assert.Contains("defaults.sampler", errors.Keys);
    }
}
