using System.Globalization;
using System.IO.Hashing;
using System.Text;
using System.Text.Json;
using Flux.Core;
using Flux.Inference;
using Flux.Inference.Imaging;

namespace Flux.Cli.Commands;

/// <summary>
/// The sampler checkpoint of one batch of `flux generate`, named after the batch's first output file, with the run's
/// settings beside it (<c>.json</c>). --resume continues only the run those settings describe: a run with another
/// prompt, size, seed, step count, guidance, sampler, count or model is refused naming the first setting that differs,
/// instead of silently starting over.
/// </summary>
internal sealed class RunCheckpoint
{
    public const string Extension = ".fluxckpt";

    private readonly RunIdentity _identity;

    private RunCheckpoint(string path, RunIdentity identity)
    {
        FilePath = path;
        _identity = identity;
    }

    public string FilePath { get; }

    public string SettingsPath => FilePath + ".json";

    /// <summary>The checkpoint of the batch whose first image goes to <paramref name="firstOutput"/>.</summary>
    public static RunCheckpoint For(string folder, string modelDirectory, string firstOutput, IReadOnlyList<GenerationSettings> batch, BatchInputs inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        string full = Path.GetFullPath(firstOutput);
        ulong hash = XxHash64.HashToUInt64(Encoding.UTF8.GetBytes(full));   // two outputs of one name in different folders
        string name = string.Create(CultureInfo.InvariantCulture, $"{Path.GetFileName(full)}-{hash:x16}{Extension}");
        var first = batch[0];
        return new RunCheckpoint(Path.Combine(folder, name), new RunIdentity(
            modelDirectory, first.Prompt, first.Width, first.Height, first.Steps, first.Guidance, first.Seed, first.Sampler, batch.Count)
        {
            NegativePrompt = first.NegativePrompt,
            TrueCfgScale = first.TrueCfgScale,
            Prompt2 = first.Prompt2,
            Image = Described(first.Image, inputs.ImageHash),
            Strength = first.Strength,
            Mask = Described(first.Mask, inputs.MaskHash),
        });
    }

    /// <summary>A file as the identity records it: its name and a hash of its bytes, so an edited file is a different run.</summary>
    private static string? Described(string? path, string? hash) => path is null ? null : $"'{path}' (xxhash64 {hash})";

    /// <summary>The state to resume from, or null when this batch has no checkpoint; throws when it belongs to other settings.</summary>
    public SamplerCheckpoint? LoadForResume()
    {
        if (!File.Exists(FilePath))
        {
            return null;
        }

        RunIdentity? saved = File.Exists(SettingsPath) ? JsonSerializer.Deserialize<RunIdentity>(File.ReadAllText(SettingsPath), CliJson.Options) : null;
        if (saved is null)
        {
            throw new CliUsageException($"--resume: {SettingsPath} is missing, so {FilePath} cannot be matched to its settings (run without --resume to start over)");
        }

        if (_identity.FirstDifference(saved) is { } difference)
        {
            throw new CliUsageException(
                $"--resume: the checkpoint {FilePath} was written with {difference.Option} {difference.Saved}, this run has {difference.Option} {difference.Current} (rerun with the checkpoint's settings, or without --resume to start over)");
        }

        using var stream = File.OpenRead(FilePath);
        return SamplerCheckpoint.ReadFrom(stream);
    }

    /// <summary>Writes the state (and, the first time, the settings), each atomically.</summary>
    public void Save(SamplerCheckpoint state)
    {
        if (!File.Exists(SettingsPath))
        {
            AtomicFile.WriteAllBytes(SettingsPath, JsonSerializer.SerializeToUtf8Bytes(_identity, CliJson.Options));
        }

        AtomicFile.Write(FilePath, state.WriteTo);
    }

    /// <summary>Starts afresh: an earlier run's settings must not vouch for this run's states.</summary>
    public void Reset()
    {
        foreach (string path in new[] { FilePath, SettingsPath }.Where(File.Exists))
        {
            File.Delete(path);
        }
    }

    public void Delete() => Reset();
}

/// <summary>
/// What makes two runs the same run: every input of the sampler's state. The properties after Count came with true CFG,
/// image-to-image and inpainting; a settings file written before them reads as those features off, as its run was.
/// </summary>
internal sealed record RunIdentity(string Model, string Prompt, int Width, int Height, int Steps, float Guidance, long Seed, string Sampler, int Count)
{
    public string? NegativePrompt { get; init; }

    public float TrueCfgScale { get; init; } = 1f;

    public string? Prompt2 { get; init; }

    /// <summary>The input image file and a hash of its bytes.</summary>
    public string? Image { get; init; }

    public float Strength { get; init; } = 1f;

    /// <summary>The mask file and a hash of its bytes.</summary>
    public string? Mask { get; init; }

    /// <summary>The first setting that differs from <paramref name="saved"/>, as the option that sets it, or null.</summary>
    public (string Option, string Saved, string Current)? FirstDifference(RunIdentity saved)
    {
        (string Option, object Saved, object Current)[] settings =
        [
            ("--model", saved.Model, Model), ("PROMPT", Quote(saved.Prompt), Quote(Prompt)), ("--width", saved.Width, Width),
            ("--height", saved.Height, Height), ("--steps", saved.Steps, Steps), ("--guidance", saved.Guidance, Guidance),
            ("--seed", saved.Seed, Seed), ("--sampler", saved.Sampler, Sampler), ("--count", saved.Count, Count),
            ("--negative-prompt", QuoteOrNone(saved.NegativePrompt), QuoteOrNone(NegativePrompt)), ("--true-cfg", saved.TrueCfgScale, TrueCfgScale),
            ("--prompt2", QuoteOrNone(saved.Prompt2), QuoteOrNone(Prompt2)), ("--image", saved.Image ?? "none", Image ?? "none"),
            ("--strength", saved.Strength, Strength), ("--mask", saved.Mask ?? "none", Mask ?? "none"),
        ];
        foreach (var (option, old, current) in settings)
        {
            if (!Equals(old, current))
            {
                return (option, Invariant(old), Invariant(current));
            }
        }

        return null;
    }

    private static string Quote(string text) => "'" + text + "'";

    private static string QuoteOrNone(string? text) => text is null ? "none" : Quote(text);

    private static string Invariant(object value) => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "";
}
