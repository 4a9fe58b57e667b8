using System.Net;
using System.Net.Sockets;

namespace Flux.Functions.Notifications;

/// <summary>Resolves a host name to addresses (DNS in production; a fixed table in tests).</summary>
internal delegate Task<IPAddress[]> HostResolver(string host, CancellationToken cancellationToken);

/// <summary>
/// The HTTP handler webhooks are sent through. The SSRF check runs in the connect step
/// (<see cref="SocketsHttpHandler.ConnectCallback"/>) on the addresses actually connected to: the host
/// is resolved once, every address is checked, and the socket connects to a checked address, so a DNS
/// answer that changes between a check and the connection (rebinding) cannot reach a refused address.
/// No proxy (it would make the connection for us, to wherever it resolves), no automatic redirects
/// (a redirect is reported, never followed), no cookies, no credentials.
/// </summary>
internal static class WebhookConnector
{
    public static readonly HostResolver Dns = (host, cancellationToken) => System.Net.Dns.GetHostAddressesAsync(host, cancellationToken);

    public static SocketsHttpHandler CreateHandler(bool allowLoopback, HostResolver resolve, TimeSpan connectTimeout) => new()
    {
        AllowAutoRedirect = false,
        UseProxy = false,
        UseCookies = false,
        Credentials = null,
        ConnectTimeout = connectTimeout,
        PooledConnectionLifetime = TimeSpan.FromMinutes(2),
        ConnectCallback = (context, cancellationToken) => ConnectAsync(context.DnsEndPoint, allowLoopback, resolve, cancellationToken),
    };

    /// <summary>Resolves, refuses if any address is refused, then connects to the first address that accepts.</summary>
    public static async ValueTask<Stream> ConnectAsync(DnsEndPoint endpoint, bool allowLoopback, HostResolver resolve, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(resolve);
        IPAddress[] addresses = IPAddress.TryParse(endpoint.Host.Trim('[', ']'), out var literal)
            ? [literal]
            : await resolve(endpoint.Host, cancellationToken).ConfigureAwait(false);
        if (addresses.Length == 0)
        {
            throw new WebhookRefusedException($"host {endpoint.Host} has no addresses");
        }

        // Refuse when any answer is refused: a mixed answer is either a misconfiguration or an attack.
        foreach (var address in addresses)
        {
            if (WebhookAddress.ProblemWithAddress(address, allowLoopback) is { } problem)
            {
                throw new WebhookRefusedException($"host {endpoint.Host} resolves to {address}, which {problem}");
            }
        }

        Exception? last = null;
        foreach (var address in addresses)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, endpoint.Port), cancellationToken).ConfigureAwait(false);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (SocketException e)
            {
                socket.Dispose();
                last = e;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }

        throw new HttpRequestException($"could not connect to {endpoint.Host}:{endpoint.Port} ({last?.Message})", last);
    }
}

/// <summary>A webhook target that must not be contacted (SSRF rules, a redirect, a permanent 4xx): not retried.</summary>
internal sealed class WebhookRefusedException : Exception
{
    public WebhookRefusedException(string message) : base(message) { }

    public WebhookRefusedException(string message, int statusCode) : base(message) => StatusCode = statusCode;

    public WebhookRefusedException() : base("the webhook target is refused") { }

    public WebhookRefusedException(string message, Exception innerException) : base(message, innerException) { }

    /// <summary>The HTTP status the target answered (a redirect or a permanent 4xx), when it answered.</summary>
    public int? StatusCode { get; }
}
