using System.Globalization;
using System.Text.Json;

namespace Flux.Functions.Jobs;

/// <summary>
/// Text from users, checked before it is used and quoted before it is echoed: an error message or a
/// log line never carries a raw control character (no forged log lines, no terminal escapes) nor
/// more than <see cref="MaxEchoLength"/> characters of what was sent.
/// </summary>
internal static class InputText
{
    public const int MaxEchoLength = 64;

    /// <summary>The value as a JSON string literal (control characters escaped), cut to <see cref="MaxEchoLength"/> characters.</summary>
    public static string Quote(string? value)
    {
        if (value is null)
        {
            return "null";
        }

        string shown = value.Length > MaxEchoLength ? value[..MaxEchoLength] : value;
        string quoted = JsonSerializer.Serialize(shown);
        return value.Length > MaxEchoLength ? $"{quoted}... ({value.Length} characters)" : quoted;
    }

    /// <summary>
    /// Why <paramref name="text"/> is not acceptable prompt text, or null when it is: control characters
    /// other than tab and line feed, and lone UTF-16 surrogates (not encodable as UTF-8), are refused.
    /// </summary>
    public static string? ProblemIn(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (char.IsControl(c) && c is not '\t' and not '\n')
            {
                return string.Create(CultureInfo.InvariantCulture, $"contains the control character U+{(int)c:X4} at position {i}; only tab and line feed are allowed");
            }

            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(c))
            {
                return string.Create(CultureInfo.InvariantCulture, $"contains an unpaired UTF-16 surrogate U+{(int)c:X4} at position {i}");
            }
        }

        return null;
    }
}
