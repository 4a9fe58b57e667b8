namespace Flux.Functions.Notifications;

/// <summary>The Standard Webhooks secret format: "whsec_" then base64 of the key (24 to 64 bytes).</summary>
internal static class WebhookSecretFormat
{
    public const string Prefix = "whsec_";
    public const int MinKeyBytes = 24;
    public const int MaxKeyBytes = 64;

    /// <summary>What is wrong with a configured secret, or null when it is empty (webhooks off) or well-formed.</summary>
    public static string? Problem(string secret)
    {
        ArgumentNullException.ThrowIfNull(secret);
        if (secret.Length == 0)
        {
            return null;
        }

        if (!secret.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return $"must start with \"{Prefix}\" (Standard Webhooks format: {Prefix} + base64 of {MinKeyBytes}-{MaxKeyBytes} random bytes)";
        }

        var key = new byte[secret.Length];
        if (!Convert.TryFromBase64String(secret[Prefix.Length..], key, out int length))
        {
            return $"after \"{Prefix}\" must be base64";
        }

        return length is < MinKeyBytes or > MaxKeyBytes
            ? $"holds a {length}-byte key; use {MinKeyBytes} to {MaxKeyBytes} random bytes"
            : null;
    }
}
