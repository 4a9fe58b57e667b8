using System.Net;
using System.Net.Sockets;

namespace Flux.Functions.Notifications;

/// <summary>
/// The SSRF rules for webhook targets, in one place for the request validator (URL shape, literal IPs)
/// and the sender's connect step (every address the host name resolves to, at connect time).
/// A target must be https on a public unicast address; refused are private (10/8, 172.16/12,
/// 192.168/16, fc00::/7), loopback, link-local (169.254/16, fe80::/10, which holds the 169.254.169.254
/// metadata service), CGNAT 100.64/10, unspecified, multicast, broadcast and reserved ranges, cloud
/// metadata and platform addresses outside those, and IPv6 forms that embed an IPv4 address
/// (mapped, NAT64, 6to4) whose IPv4 address is refused. Loopback (and http for loopback only) is
/// allowed when Flux:AllowLoopbackWebhooks is set, for local development and tests.
/// </summary>
internal static class WebhookAddress
{
    public const int MaxUrlLength = 2048;

    /// <summary>Why the URL cannot be a webhook target (before DNS), or null when its shape is fine.</summary>
    public static string? ProblemWithUrl(string url, bool allowLoopback)
    {
        if (url.Length > MaxUrlLength)
        {
            return $"url of {url.Length} characters exceeds the limit of {MaxUrlLength}";
        }

        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http") || uri.Host.Length == 0)
        {
            return "url must be an absolute https URL (https://host/path)";
        }

        return ProblemWithUri(uri, allowLoopback);
    }

    public static string? ProblemWithUri(Uri uri, bool allowLoopback)
    {
        if (uri.UserInfo.Length > 0)
        {
            return "url must not carry a user name or password; the payload is signed instead";
        }

        if (uri.Fragment.Length > 0)
        {
            return "url must not have a fragment (#...)";
        }

        bool loopbackName = uri.IsLoopback; // "localhost" and loopback literals
        if (IPAddress.TryParse(uri.DnsSafeHost, out var literal) && ProblemWithAddress(literal, allowLoopback) is { } problem)
        {
            return $"url host {uri.Host} {problem}";
        }

        if (uri.Scheme != Uri.UriSchemeHttps && !(allowLoopback && loopbackName))
        {
            return $"url scheme {uri.Scheme} is not allowed; webhooks are delivered over https only";
        }

        return null;
    }

    /// <summary>Why a connection to this address is refused, or null for a public unicast address.</summary>
    public static string? ProblemWithAddress(IPAddress address, bool allowLoopback)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            return ProblemWithAddress(address.MapToIPv4(), allowLoopback);
        }

        if (IPAddress.IsLoopback(address))
        {
            return allowLoopback ? null : "is a loopback address (allowed only with Flux:AllowLoopbackWebhooks for local development)";
        }

        return address.AddressFamily switch
        {
            AddressFamily.InterNetwork => ProblemWithIPv4(address.GetAddressBytes()),
            AddressFamily.InterNetworkV6 => ProblemWithIPv6(address, allowLoopback),
            _ => $"is not an IP address ({address.AddressFamily})",
        };
    }

    private static string? ProblemWithIPv4(byte[] a) => (a[0], a[1], a[2], a[3]) switch
    {
        (0, _, _, _) => "is in 0.0.0.0/8 (unspecified, \"this network\")",
        (10, _, _, _) => "is a private address (10.0.0.0/8)",
        (100, >= 64 and <= 127, _, _) => "is a carrier-grade NAT address (100.64.0.0/10)",
        (127, _, _, _) => "is a loopback address (127.0.0.0/8)",
        (169, 254, _, _) => "is a link-local address (169.254.0.0/16, where cloud metadata services live)",
        (172, >= 16 and <= 31, _, _) => "is a private address (172.16.0.0/12)",
        (192, 0, 0, _) => "is an IETF protocol address (192.0.0.0/24, used by cloud metadata services)",
        (192, 168, _, _) => "is a private address (192.168.0.0/16)",
        (198, 18 or 19, _, _) => "is a benchmarking address (198.18.0.0/15)",
        (168, 63, 129, 16) => "is the Azure platform (wireserver) address",
        (>= 224 and <= 239, _, _, _) => "is a multicast address (224.0.0.0/4)",
        (>= 240, _, _, _) => "is a reserved or broadcast address (240.0.0.0/4)",
        _ => null,
    };

    private static string? ProblemWithIPv6(IPAddress address, bool allowLoopback)
    {
        byte[] b = address.GetAddressBytes();
        if (address.Equals(IPAddress.IPv6Any))
        {
            return "is the unspecified address (::)";
        }

        if (b[0] == 0xFF)
        {
            return "is a multicast address (ff00::/8)";
        }

        if ((b[0] & 0xFE) == 0xFC)
        {
            return "is a unique-local (private) address (fc00::/7, which holds cloud metadata addresses such as fd00:ec2::254)";
        }

        if (b[0] == 0xFE && (b[1] & 0xC0) == 0x80)
        {
            return "is a link-local address (fe80::/10)";
        }

        if (b[0] == 0xFE && (b[1] & 0xC0) == 0xC0)
        {
            return "is a site-local address (fec0::/10)";
        }

        // IPv4 embedded in IPv6: compatible (::a.b.c.d), NAT64 (64:ff9b::/96), 6to4 (2002::/16).
        bool compatible = b.AsSpan(0, 12).IndexOfAnyExcept((byte)0) < 0;
        bool nat64 = b.AsSpan(0, 12).SequenceEqual(new byte[] { 0, 0x64, 0xFF, 0x9B, 0, 0, 0, 0, 0, 0, 0, 0 });
        if (compatible || nat64)
        {
            return ProblemWithAddress(new IPAddress(b[12..16]), allowLoopback) is { } inner ? $"embeds an IPv4 address that {inner}" : null;
        }

        if (b[0] == 0x20 && b[1] == 0x02)
        {
            return ProblemWithAddress(new IPAddress(b[2..6]), allowLoopback) is { } inner ? $"is a 6to4 address whose IPv4 address {inner}" : null;
        }

        return null;
    }
}
