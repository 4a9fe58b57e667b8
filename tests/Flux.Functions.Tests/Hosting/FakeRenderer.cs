using System.Collections.Concurrent;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Flux.Functions.Rendering;
using Flux.Inference;

namespace Flux.Functions.Tests.Hosting;

/// <summary>
/// A deterministic stand-in for the ONNX pipeline with the same stage contract: an RGB latent at
/// 1/8 resolution, Euler steps of a flow whose every step changes the result (so a skipped,
/// repeated or restarted step changes the PNG), checkpoints every <c>checkpointEvery</c> steps,
/// and counters of the work it did. <paramref name="stepDelay"/> makes each step take that long
/// (cancellable), for tests that act while an image renders.
/// </summary>
internal sealed class FakeRenderer(int checkpointEvery = 2, TimeSpan stepDelay = default) : IImageRenderer
{
    private const int Channels = 3;
    private const int Downscale = 8;
    private const float Pull = 0.5f;
    private const float Swirl = 0.1f;

    public string ModelId { get; } = $"fake-{Guid.NewGuid():N}";

    public ModelDefaults Defaults { get; } = new(64, 48, 6, 0f, "euler", FixedSize: false);

    public ConcurrentDictionary<string, int> EncodeCalls { get; } = new(StringComparer.Ordinal);

    /// <summary>Sampler steps run per (seed, image index), over all attempts.</summary>
    public ConcurrentDictionary<(long Seed, int Index), int> StepsRun { get; } = new();

    public Task<byte[]> EncodePromptAsync(GenerationSettings spec, CancellationToken cancellationToken)
    {
        EncodeCalls.AddOrUpdate(spec.Prompt, 1, (_, n) => n + 1);
        return Task.FromResult(SHA256.HashData(Encoding.UTF8.GetBytes(spec.Prompt))[..Channels]);
    }

    public async Task<DenoiseChunk> DenoiseAsync(DenoiseChunkRequest request, CancellationToken cancellationToken)
    {
        var (spec, conditioning, checkpoint, maxSteps, timeBudget, saveCheckpoint) = request;
        var (step, total, x) = checkpoint is { } saved ? Read(saved) : (0, spec.Steps, InitialNoise(spec));
        if (total != spec.Steps || x.Length != LatentLength(spec))
        {
            throw new InvalidRenderInputException($"checkpoint of {total} steps / {x.Length} values does not match {spec.Steps} steps / {LatentLength(spec)} values");
        }

        float[] target = [.. conditioning.ToArray().Select(b => (b / 127.5f) - 1f)];
        var clock = Stopwatch.StartNew();
        int end = Math.Min(total, step + maxSteps);
        while (step < end)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (stepDelay > TimeSpan.Zero)
            {
                await Task.Delay(stepDelay, cancellationToken);
            }

            EulerStep(x, target, 1.0 - ((double)step / total), 1.0 - ((double)(step + 1) / total));
            step++;
            StepsRun.AddOrUpdate((spec.Seed, spec.ImageIndex), 1, (_, n) => n + 1);
            if (step < end && step % checkpointEvery == 0)
            {
                await saveCheckpoint(Write(step, total, x), step, cancellationToken);
            }

            if (clock.Elapsed >= timeBudget)
            {
                break;
            }
        }

        return new DenoiseChunk(Write(step, total, x), step, total);
    }

    public Task<byte[]> DecodeAsync(GenerationSettings spec, ReadOnlyMemory<byte> finalCheckpoint, CancellationToken cancellationToken)
    {
        var (step, total, x) = Read(finalCheckpoint);
        if (step != total)
        {
            throw new InvalidRenderInputException($"checkpoint is at step {step} of {total}; only a finished one can be decoded");
        }

        int cols = spec.Width / Downscale;
        var rgb = new byte[spec.Width * spec.Height * Channels];   // (H, W, 3)
        for (int py = 0; py < spec.Height; py++)
        {
            for (int px = 0; px < spec.Width; px++)
            {
                int at = (((py / Downscale) * cols) + (px / Downscale)) * Channels;
                int pixel = ((py * spec.Width) + px) * Channels;
                (rgb[pixel], rgb[pixel + 1], rgb[pixel + 2]) = (Pixel(x[at]), Pixel(x[at + 1]), Pixel(x[at + 2]));
            }
        }

        return Task.FromResult(Flux.Inference.Imaging.ImageEncoding.Encode(rgb, spec.Width, spec.Height, spec.PngText("fake"), spec.OutputFormat, spec.Quality));
    }

    /// <summary>x += (t_next - t) * v, with v = Pull (x - target) + Swirl sin(7 t): every step leaves a mark.</summary>
    private static void EulerStep(float[] x, float[] target, double t, double tNext)
    {
        float dt = (float)(tNext - t);
        float swirl = Swirl * MathF.Sin(7f * (float)t);
        for (int i = 0; i < x.Length; i++)
        {
            x[i] += dt * ((Pull * (x[i] - target[i % Channels])) + swirl);
        }
    }

    private static int LatentLength(GenerationSettings spec) => spec.Width / Downscale * (spec.Height / Downscale) * Channels;

    private static float[] InitialNoise(GenerationSettings spec)
    {
        var random = new Random(unchecked((int)(spec.Seed ^ (spec.Seed >> 32))));
        return [.. Enumerable.Range(0, LatentLength(spec)).Select(_ => (random.NextSingle() * 2f) - 1f)];
    }

    private static byte Pixel(float v) => (byte)Math.Clamp((v + 1f) * 127.5f, 0f, 255f);

    private static byte[] Write(int step, int total, float[] x)
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(step);
            writer.Write(total);
            writer.Write(x.Length);
            foreach (float v in x)
            {
                writer.Write(v);
            }
        }

        return stream.ToArray();
    }

    private static (int Step, int Total, float[] X) Read(ReadOnlyMemory<byte> checkpoint)
    {
        using var reader = new BinaryReader(new MemoryStream(checkpoint.ToArray()));
        int step = reader.ReadInt32();
        int total = reader.ReadInt32();
        var x = new float[reader.ReadInt32()];
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = reader.ReadSingle();
        }

        return (step, total, x);
    }
}
