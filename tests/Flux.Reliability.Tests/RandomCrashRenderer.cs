using System.Collections.Concurrent;
using Flux.Functions.Rendering;
using Flux.Functions.Tests.Hosting;
using Flux.Inference;

namespace Flux.Reliability.Tests;

/// <summary>
/// Fault injection for the Denoise activity: at seeded random points of each image's sampling it
/// throws as a crashed worker would: when a chunk starts, just before a checkpoint is saved (the
/// steps since the last one are lost), just after, or when the chunk is done but not yet stored.
/// At most <paramref name="maxCrashesPerImage"/> per image, so the activity retry policy can win.
/// </summary>
internal sealed class RandomCrashRenderer(IImageRenderer inner, int seed, double probability, int maxCrashesPerImage) : RendererDecorator(inner)
{
    private const int StartPoint = 0;
    private const int BeforeSave = 1;
    private const int AfterSave = 2;
    private const int ChunkDone = 3;

    private readonly ConcurrentDictionary<int, int> _crashesPerImage = new();
    private readonly ConcurrentQueue<(int Index, int Step, string Where)> _crashes = new();

    /// <summary>Off: every call passes through (the undisturbed run).</summary>
    public bool Enabled { get; set; }

    public IReadOnlyCollection<(int Index, int Step, string Where)> Crashes => _crashes;

    public override async Task<DenoiseChunk> DenoiseAsync(DenoiseChunkRequest request, CancellationToken cancellationToken)
    {
        int index = request.Spec.ImageIndex;
        CrashIf(index, request.Checkpoint is null ? 0 : -1, StartPoint, "at chunk start");
        var chunk = await base.DenoiseAsync(request with
        {
            SaveCheckpoint = async (state, step, ct) =>
            {
                CrashIf(index, step, BeforeSave, "before saving the checkpoint");
                await request.SaveCheckpoint(state, step, ct);
                CrashIf(index, step, AfterSave, "after saving the checkpoint");
            },
        }, cancellationToken);
        CrashIf(index, chunk.Step, ChunkDone, "with the chunk done but not stored");
        return chunk;
    }

    private void CrashIf(int index, int step, int point, string where)
    {
        if (!Enabled)
        {
            return;
        }

        int crashes = _crashesPerImage.GetOrAdd(index, 0);
        if (crashes >= maxCrashesPerImage)
        {
            return;
        }

        // Deterministic in (seed, image, step, point, crashes so far): the same faults on every run.
        int draw = unchecked(seed + (index * 7919) + (step * 104_729) + (point * 1_299_709) + (crashes * 15_485_863));
        if (new Random(draw).NextDouble() < probability && _crashesPerImage.TryUpdate(index, crashes + 1, crashes))
        {
            _crashes.Enqueue((index, step, where));
            throw new IOException($"injected worker crash {where}, image {index}, step {step}");
        }
    }
}
