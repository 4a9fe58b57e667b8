using Azure.Core.Serialization;
using Flux.Functions.Jobs;
using Flux.Functions.Notifications;
using Flux.Functions.Orchestrations;
using Flux.Functions.Tests.Hosting;
using Flux.Inference;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Flux.Functions.Tests;

/// <summary>
/// The records that cross the durable boundary (orchestration and activity inputs and outputs) are internal types: the
/// worker's serializer (System.Text.Json, as the app configures it) must still write and read every field, including
/// issue 13's optional settings, or a replay would see a different job than the one started.
/// </summary>
public sealed class DurableRecordsJsonTests
{
    private static readonly GenerationSettings Spec = new GenerationSettings("a red circle", 512, 768, 8, 3.5f, 42, "heun", 2)
    {
        NegativePrompt = "blurry",
        TrueCfgScale = 3f,
        Prompt2 = "a red circle, detailed",
        Image = "job-1/image-0123456789abcdef0123456789abcdef",
        Strength = 0.6f,
        Mask = "masks/m.png",
        Format = "jpeg",
        Quality = 80,
    };

    public static TheoryData<string> Records() => [.. Samples().Keys];

    [Theory]
    [MemberData(nameof(Records))]
    public void InternalRecord_RoundTripsThroughTheWorkersSerializer(string name)
    {
        using var app = AppHost.Build(new Dictionary<string, string?> { ["AzureWebJobsStorage"] = "UseDevelopmentStorage=true" });
        var serializer = app.Services.GetRequiredService<IOptions<WorkerOptions>>().Value.Serializer!;
        object value = Samples()[name];
        Assert.False(value.GetType().IsPublic, $"{value.GetType().Name} is public; this test is about internal records");

        string json = Write(serializer, value);
        object? read = serializer.Deserialize(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(json)), value.GetType(), CancellationToken.None);

        Assert.NotNull(read);
        Assert.Equal(json, Write(serializer, read));   // every field read back (lists compare by content here, not by reference)
        Assert.Contains("\"negativePrompt\":\"blurry\"", json.Replace(" ", "", StringComparison.Ordinal), StringComparison.OrdinalIgnoreCase);
    }

    private static string Write(ObjectSerializer serializer, object value)
        => serializer.Serialize(value)!.ToString();

    private static Dictionary<string, object> Samples()
    {
        var job = new JobSpec("job-1", [Spec, Spec with { ImageIndex = 3 }], new NotifySpec(true, "tag", new WebhookSpec("https://hooks.example.com/x")));
        var result = new ImageResult(Spec, "job-1/00002.jpg", "ab", "tiny-0123");
        return new Dictionary<string, object>(StringComparer.Ordinal)
        {
            [nameof(GenerateJobInput)] = new GenerateJobInput(job, RenderPolicy.From(new FluxOptions()), WebhookPolicy.Default),
            [nameof(RenderImageInput)] = new RenderImageInput("job-1", Spec, RenderPolicy.From(new FluxOptions())),
            [nameof(EncodePromptInput)] = new EncodePromptInput(Spec),
            [nameof(DenoiseInput)] = new DenoiseInput("job-1", Spec, "abc.bin", 4, TimeSpan.FromMinutes(2), 4),
            [nameof(DecodeAndSaveInput)] = new DecodeAndSaveInput("job-1", Spec),
            [nameof(ImageResult)] = result,
            [nameof(WriteManifestInput)] = new WriteManifestInput("job-1", new DateTime(2026, 12, 5, 1, 0, 0, DateTimeKind.Utc), [result], [new ImageFailure(1, "p", "why")]),
            [nameof(PublishEventsInput)] = new PublishEventsInput("job-1", "job-1/manifest.json", new DateTime(2026, 12, 5, 1, 0, 0, DateTimeKind.Utc), 2, [result], 1, "tag"),
            ["ActivityOutcome<ImageResult>"] = new ActivityOutcome<ImageResult>(ActivityEnd.Completed, result, null),
        };
    }
}
