using Flux.Functions.Rendering;
using Flux.Inference;

namespace Flux.Functions.Jobs;

/// <summary>A validated job: every image fully specified (size, steps, seed), so replays and retries draw the same pictures.</summary>
internal sealed record JobSpec(string JobId, IReadOnlyList<GenerationSettings> Items, NotifySpec Notify);

/// <summary>Where a job came from; part of its record in rejections and events.</summary>
internal enum JobSource
{
    Http,
    Queue,
    Blob,
}
