using System.Text.Json;
using Azure.Messaging;
using Flux.Functions.Orchestrations;
using Flux.Inference.Imaging;

namespace Flux.Functions.Events;

/// <summary>
/// The CloudEvents (1.0) the service publishes when a job completes. Ids are derived from the job,
/// so a retried PublishEvents sends events a consumer recognises as duplicates.
/// </summary>
internal static class FluxEvents
{
    public const string Source = "/flux-functions/generations";
    public const string JobCompleted = "Flux.Generation.JobCompleted";
    public const string ImageCompleted = "Flux.Generation.ImageCompleted";

    public static IReadOnlyList<CloudEvent> For(PublishEventsInput input, Func<string, Uri> blobUri, Uri manifestUri)
    {
        var completedAt = new DateTimeOffset(DateTime.SpecifyKind(input.CompletedAt, DateTimeKind.Utc));
        var events = new List<CloudEvent>(input.Images.Count + 1);
        foreach (var image in input.Images)
        {
            var data = new ImageCompletedData(
                input.JobId, image.Spec.ImageIndex, blobUri(image.BlobName).ToString(), image.Sha256,
                image.Spec.Prompt, image.Spec.Seed, image.Spec.Width, image.Spec.Height, input.Tag, image.Spec.OutputFormat.ContentType());
            events.Add(Create($"{input.JobId}/images/{image.Spec.ImageIndex}", ImageCompleted, $"generations/{input.JobId}/images/{image.Spec.ImageIndex}", data, completedAt));
        }

        var job = new JobCompletedData(input.JobId, manifestUri.ToString(), input.Total, input.Images.Count, input.Failed, input.Tag);
        events.Add(Create($"{input.JobId}/completed", JobCompleted, $"generations/{input.JobId}", job, completedAt));
        return events;
    }

    /// <summary>Data as camelCase JSON (the web convention consumers expect), carried in the "data" member.</summary>
    private static CloudEvent Create<T>(string id, string type, string subject, T data, DateTimeOffset time)
        => new(Source, type, BinaryData.FromObjectAsJson(data, DataJson), "application/json", CloudEventDataFormat.Json)
        {
            Id = id,
            Subject = subject,
            Time = time,
        };

    private static readonly JsonSerializerOptions DataJson = new(JsonSerializerDefaults.Web);
}

/// <param name="Url">The image blob's URL; its extension is the format's (.png, .jpg, .webp).</param>
/// <param name="ContentType">"image/png", "image/jpeg" or "image/webp".</param>
internal sealed record ImageCompletedData(
    string JobId, int Index, string Url, string Sha256, string Prompt, long Seed, int Width, int Height, string? Tag, string ContentType);

internal sealed record JobCompletedData(string JobId, string ManifestUrl, int Total, int Completed, int Failed, string? Tag);
