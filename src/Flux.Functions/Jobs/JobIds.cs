using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Flux.Functions.Jobs;

/// <summary>
/// Job ids: one strict pattern checked wherever an id enters (request bodies, routes, queue messages)
/// and before any blob name is built from one, so an id can never name a path outside its job's folder.
/// Ids derived from content mean the same message or file never starts a second job.
/// </summary>
internal static partial class JobIds
{
    /// <summary>1-80 letters, digits, '-' or '_', starting with a letter or digit: no '.', '/', '\\', '%' or spaces.</summary>
    public const string Pattern = "^[A-Za-z0-9][A-Za-z0-9_-]{0,79}$";

    public const string PatternDescription = "1-80 letters, digits, '-' or '_', starting with a letter or digit";

    private const int HashHexLength = 32;

    /// <summary>Whether <paramref name="id"/> matches <see cref="Pattern"/>.</summary>
    public static bool IsValid(string? id) => id is not null && IdPattern().IsMatch(id);

    /// <summary>
    /// Whether a job id chosen by a user would collide with the image instances of another job:
    /// "{jobId}-{index}" is how images are named, so a chosen id may not end in "-{digits}".
    /// </summary>
    public static bool IsReservedForImages(string id) => ImageSuffix().IsMatch(id);

    /// <summary>Throws unless <paramref name="id"/> is valid: the last guard before an id becomes part of a blob name.</summary>
    public static string Require(string id)
        => IsValid(id) ? id : throw new ArgumentException($"job id {InputText.Quote(id)} is not {PatternDescription}", nameof(id));

    /// <summary>"{prefix}-{first 128 bits of SHA-256 of the content, hex}".</summary>
    public static string FromContent(string prefix, string content)
        => $"{prefix}-{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(content)))[..HashHexLength]}";

    /// <summary>The sub-orchestration of image <paramref name="index"/> of a job.</summary>
    public static string ImageInstance(string jobId, int index) => $"{jobId}-{index}";

    /// <summary>The job id and image index of an image instance id (<see cref="ImageInstance"/>), if it is one.</summary>
    public static bool TryParseImageInstance(string instanceId, out string jobId, out int index)
    {
        ArgumentNullException.ThrowIfNull(instanceId);
        var suffix = ImageSuffix().Match(instanceId);
        index = -1;
        bool parsed = suffix.Success && int.TryParse(suffix.ValueSpan[1..], System.Globalization.CultureInfo.InvariantCulture, out index);
        jobId = parsed ? instanceId[..suffix.Index] : instanceId;
        return parsed;
    }

    /// <summary>The seed of an image whose request named none: a non-negative hash of job id and index.</summary>
    public static long DefaultSeed(string jobId, int index)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes($"{jobId}/{index}"), hash);
        return BinaryPrimitives.ReadInt64LittleEndian(hash) & long.MaxValue;
    }

    [GeneratedRegex(Pattern)]
    private static partial Regex IdPattern();

    [GeneratedRegex("-[0-9]+$")]
    private static partial Regex ImageSuffix();
}
