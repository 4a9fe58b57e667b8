using System.Security.Cryptography;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Flux.ModelBuilder.Import;

/// <summary>One input file of an import: its path relative to the source (or as given), size and SHA-256.</summary>
public sealed record SourceFile(string File, long Bytes, string Sha256);

/// <summary>
/// An imported package's flux.json: the fields the loader reads (src/Flux.Inference/Packages/FluxManifest.cs:
/// variant, t5MaxLength, defaults, shift, VAE scale/shift, transformerOutput, kind) plus how the weights are stored (precision, int4 block size) and where they came from.
/// </summary>
public sealed record ImportManifest(
    string Variant,
    int T5MaxLength,
    int DefaultSteps,
    double DefaultGuidance,
    string Shift,
    double VaeScale,
    double VaeShift,
    string TransformerOutput,
    string Kind,
    string Precision,
    string Quantize,
    int? Int4BlockSize,
    IReadOnlyList<LoraSpec> Loras,
    IReadOnlyList<SourceFile> Sources)
{
    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions).ReplaceLineEndings("\n") + "\n";

    /// <summary>Hashes <paramref name="path"/>, reporting bytes read to <paramref name="advance"/>.</summary>
    public static SourceFile Describe(string path, string shownAs, Action<long> advance, CancellationToken cancellationToken = default)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.SequentialScan);
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[1 << 20];
        int read;
        while ((read = stream.Read(buffer)) > 0)
        {
            cancellationToken.ThrowIfCancellationRequested();
            sha.AppendData(buffer, 0, read);
            advance(read);
        }

        return new SourceFile(shownAs, stream.Length, Convert.ToHexStringLower(sha.GetHashAndReset()));
    }
}
