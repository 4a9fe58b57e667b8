using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using StandardWebhooks;

namespace Flux.Functions.Tests.Notifications;

/// <summary>
/// A webhook receiver on 127.0.0.1 (HttpListener): records every request and answers with the status
/// <c>answer(n)</c> gives the n-th request (0-based); a 3xx answer carries <see cref="RedirectTo"/>.
/// </summary>
public sealed class WebhookReceiver : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Func<int, int> _answer;
    private readonly Task _loop;
    private int _count;

    public WebhookReceiver(Func<int, int> answer)
    {
        _answer = answer;
        Port = FreePort();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Prefixes.Add($"http://localhost:{Port}/"); // requests whose Host header is a name
        _listener.Start();
        _loop = Task.Run(LoopAsync);
    }

    public int Port { get; }

    public Uri Url => new($"http://127.0.0.1:{Port}/hooks/flux?token=abc");

    public string? RedirectTo { get; init; }

    public ConcurrentQueue<Received> Requests { get; } = new();

    public sealed record Received(string Method, string? ContentType, HeaderDictionary Headers, string Body, int AnsweredWith);

    /// <summary>A 127.0.0.1 port nothing listens on (for a receiver that is down).</summary>
    public static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    /// <summary>A fresh Standard Webhooks secret: whsec_ + base64 of 32 random bytes.</summary>
    public static string NewSecret() => "whsec_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    /// <summary>
    /// The signature the Standard Webhooks specification defines, computed here from the spec rather than
    /// by the package: "v1," + base64(HMAC-SHA256(base64-decoded key, "{id}.{timestamp}.{body}")).
    /// </summary>
    public static string ExpectedSignature(string secret, string id, string timestamp, string body)
        => "v1," + Convert.ToBase64String(HMACSHA256.HashData(Convert.FromBase64String(secret["whsec_".Length..]), Encoding.UTF8.GetBytes($"{id}.{timestamp}.{body}")));

    /// <summary>Verifies with the StandardWebhooks package as a receiver would (throws when the signature is wrong).</summary>
    public static void Verify(string secret, Received request) => new StandardWebhook(secret).Verify(request.Body, request.Headers);

    private async Task LoopAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
            string body = await reader.ReadToEndAsync();
            var headers = new HeaderDictionary();
            foreach (string? key in context.Request.Headers.AllKeys)
            {
                if (key is not null)
                {
                    headers[key] = context.Request.Headers[key];
                }
            }

            int status = _answer(Interlocked.Increment(ref _count) - 1);
            Requests.Enqueue(new Received(context.Request.HttpMethod, context.Request.ContentType, headers, body, status));
            context.Response.StatusCode = status;
            if (status is >= 300 and < 400 && RedirectTo is not null)
            {
                context.Response.RedirectLocation = RedirectTo;
            }

            context.Response.Close();
        }
    }

    public void Dispose()
    {
        _listener.Close();
        try
        {
            _loop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
        }
    }
}
