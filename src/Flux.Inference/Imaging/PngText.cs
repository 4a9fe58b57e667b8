using System.Text;

namespace Flux.Inference.Imaging;

/// <summary>One PNG chunk before framing: its 4-letter type and its data.</summary>
internal readonly record struct PngChunk(string Type, byte[] Data);

/// <summary>Text chunks (PNG specification, 11.3.3): tEXt for Latin-1 text, iTXt (UTF-8, uncompressed) otherwise.</summary>
internal static class PngText
{
    internal const int MaxKeywordLength = 79;
    private const char MaxLatin1 = '\u00FF';

    /// <summary>iTXt after the keyword's null: compression flag 0, method 0, empty language tag and translated keyword.</summary>
    private static readonly byte[] UncompressedInternationalPrefix = [0, 0, 0, 0, 0];

    /// <summary>The chunk for one entry; throws naming the keyword when it or its value cannot be written.</summary>
    public static PngChunk Chunk(KeyValuePair<string, string> entry)
    {
        var (keyword, value) = entry;
        ValidateKeyword(keyword);
        if (value is null || value.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException(
                $"PNG text \"{keyword}\" has {(value is null ? "no value" : "a null character in its value")}: text chunks hold text without null characters",
                nameof(entry));
        }

        byte[] key = Encoding.Latin1.GetBytes(keyword);
        return IsLatin1(value)
            ? new PngChunk("tEXt", [.. key, 0, .. Encoding.Latin1.GetBytes(value)])
            : new PngChunk("iTXt", [.. key, .. UncompressedInternationalPrefix, .. Encoding.UTF8.GetBytes(value)]);
    }

    /// <summary>1 to 79 printable Latin-1 characters (32-126, 161-255), no leading, trailing or consecutive spaces.</summary>
    internal static void ValidateKeyword(string keyword)
    {
        string? problem = keyword switch
        {
            null => "is missing",
            { Length: 0 or > MaxKeywordLength } => $"has {keyword.Length} characters",
            _ when !keyword.All(IsPrintableLatin1) => "has a character that is not printable Latin-1",
            _ when keyword.StartsWith(' ') || keyword.EndsWith(' ') || keyword.Contains("  ", StringComparison.Ordinal) => "has a leading, trailing or double space",
            _ => null,
        };
        if (problem is not null)
        {
            throw new ArgumentException(
                $"PNG text keyword \"{keyword}\" {problem}: a keyword is 1 to {MaxKeywordLength} printable Latin-1 characters (32-126, 161-255) without leading, trailing or consecutive spaces",
                nameof(keyword));
        }
    }

    private static bool IsPrintableLatin1(char c) => c is (>= ' ' and <= '~') or (>= '\u00A1' and <= MaxLatin1);

    private static bool IsLatin1(string value) => value.All(c => c <= MaxLatin1);
}
