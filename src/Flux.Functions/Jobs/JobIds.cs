using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Flux.Functions.Jobs;

/// <summary>Ids derived from content, so the same message or file never starts a second job.</summary>
public static class JobIds
{
    private const int HashHexLength = 32;

    /// <summary>"{prefix}-{first 128 bits of SHA-256 of the content, hex}".</summary>
    public static string FromContent(string prefix, string content)
        => $"{prefix}-{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(content)))[..HashHexLength]}";

    /// <summary>The sub-orchestration of image <paramref name="index"/> of a job.</summary>
    public static string ImageInstance(string jobId, int index) => $"{jobId}-{index}";

    /// <summary>The seed of an image whose request named none: a non-negative hash of job id and index.</summary>
    public static long DefaultSeed(string jobId, int index)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes($"{jobId}/{index}"), hash);
        return BinaryPrimitives.ReadInt64LittleEndian(hash) & long.MaxValue;
    }
}
