using System.Net;
using System.Text.Json;
using Azure.Messaging;
using Flux.Functions.Notifications;
using Microsoft.Extensions.Options;
using StandardWebhooks.Diagnostics;

namespace Flux.Functions.Tests.Notifications;

/// <summary>The sender against a real loopback receiver: signatures, statuses, redirects, and the SSRF rules at connect time.</summary>
public sealed class WebhookSenderTests
{
    private static readonly string Secret = WebhookReceiver.NewSecret();

    private static WebhookSender Sender(bool allowLoopback = true, HostResolver? resolver = null)
        => new(Options.Create(new FluxOptions { WebhookSecret = Secret, AllowLoopbackWebhooks = allowLoopback, WebhookTimeout = TimeSpan.FromSeconds(5) }), TimeProvider.System, resolver);

    private static CloudEvent Event() => new("/flux-functions/generations", "Flux.Generation.JobCompleted", new { jobId = "job-7", completed = 2 })
    {
        Id = "job-7/completed",
    };

    [Fact]
    public async Task Post_IsSignedPerStandardWebhooks_AndCarriesTheCloudEvent()
    {
        using var receiver = new WebhookReceiver(_ => 204);
        using var sender = Sender();

        int status = await sender.SendAsync(receiver.Url, Event(), CancellationToken.None);

        var request = Assert.Single(receiver.Requests);
        Assert.Equal((204, "POST"), (status, request.Method));
        Assert.StartsWith(WebhookSender.ContentType, request.ContentType, StringComparison.Ordinal);
        Assert.Equal("job-7/completed", request.Headers["webhook-id"]);
        Assert.Equal(
            WebhookReceiver.ExpectedSignature(Secret, "job-7/completed", request.Headers["webhook-timestamp"]!, request.Body),
            request.Headers["webhook-signature"]);
        WebhookReceiver.Verify(Secret, request); // the package's own receiver-side check
        Assert.Throws<WebhookVerificationException>(() => WebhookReceiver.Verify(WebhookReceiver.NewSecret(), request));
        using var body = JsonDocument.Parse(request.Body);
        Assert.Equal(("1.0", "Flux.Generation.JobCompleted", 2), (
            body.RootElement.GetProperty("specversion").GetString(),
            body.RootElement.GetProperty("type").GetString(),
            body.RootElement.GetProperty("data").GetProperty("completed").GetInt32()));
    }

    [Theory]
    [InlineData(500)]
    [InlineData(503)]
    [InlineData(429)]
    [InlineData(408)]
    public async Task ServerErrorsAndThrottling_AreRetryable(int answer)
    {
        using var receiver = new WebhookReceiver(_ => answer);
        using var sender = Sender();

        var error = await Assert.ThrowsAsync<WebhookDeliveryException>(() => sender.SendAsync(receiver.Url, Event(), CancellationToken.None));

        Assert.Equal(answer, error.StatusCode);
        Assert.DoesNotContain("token=abc", error.Message, StringComparison.Ordinal); // the query may hold a secret
    }

    [Fact]
    public async Task ClientErrors_AreNotRetried()
    {
        using var receiver = new WebhookReceiver(_ => 404);
        using var sender = Sender();

        var error = await Assert.ThrowsAsync<WebhookRefusedException>(() => sender.SendAsync(receiver.Url, Event(), CancellationToken.None));

        Assert.Contains("404", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://10.0.0.1/steal")]
    [InlineData("http://169.254.169.254/latest/meta-data/")]
    [InlineData("https://hooks.example.com/elsewhere")]
    public async Task Redirects_AreRefusedNotFollowed(string location)
    {
        using var receiver = new WebhookReceiver(_ => 302) { RedirectTo = location };
        using var sender = Sender();

        var error = await Assert.ThrowsAsync<WebhookRefusedException>(() => sender.SendAsync(receiver.Url, Event(), CancellationToken.None));

        Assert.Contains("redirects are not followed", error.Message, StringComparison.Ordinal);
        Assert.Single(receiver.Requests);
    }

    [Theory]
    [InlineData("https://10.0.0.1/hook", "private")]
    [InlineData("https://172.20.1.1/hook", "private")]
    [InlineData("https://192.168.0.10/hook", "private")]
    [InlineData("https://169.254.169.254/metadata/instance", "link-local")]
    [InlineData("https://100.64.1.1/hook", "carrier-grade NAT")]
    [InlineData("https://[fe80::1]/hook", "link-local")]
    [InlineData("http://hooks.example.com/hook", "https only")]
    public async Task RefusedTargets_AreNeverContacted(string url, string reason)
    {
        bool resolved = false;
        using var sender = Sender(allowLoopback: false, resolver: (_, _) =>
        {
            resolved = true;
            return Task.FromResult(Array.Empty<IPAddress>());
        });

        var error = await Assert.ThrowsAsync<WebhookRefusedException>(() => sender.SendAsync(new Uri(url), Event(), CancellationToken.None));

        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
        Assert.False(resolved);
    }

    [Fact]
    public async Task LoopbackLiteral_IsRefusedWithoutTheSetting()
    {
        using var receiver = new WebhookReceiver(_ => 200);
        using var sender = Sender(allowLoopback: false);

        var error = await Assert.ThrowsAsync<WebhookRefusedException>(() => sender.SendAsync(new Uri($"https://[::1]:{receiver.Port}/hook"), Event(), CancellationToken.None));

        Assert.Contains("loopback", error.Message, StringComparison.Ordinal);
        Assert.Empty(receiver.Requests);
    }

    [Fact]
    public async Task HostNameResolvingToLoopback_IsRefusedAtConnect()
    {
        // "localhost" passes every check that needs no DNS; the connect step resolves it and refuses.
        using var receiver = new WebhookReceiver(_ => 200);
        using var sender = Sender(allowLoopback: false);

        var error = await Assert.ThrowsAsync<WebhookRefusedException>(() => sender.SendAsync(new Uri($"https://localhost:{receiver.Port}/hook"), Event(), CancellationToken.None));

        Assert.Contains("host localhost resolves to", error.Message, StringComparison.Ordinal);
        Assert.Empty(receiver.Requests);
    }

    [Theory]
    [InlineData("10.0.0.5")]
    [InlineData("169.254.169.254")]
    [InlineData("8.8.8.8,192.168.1.1")] // one bad answer among good ones refuses the host
    public async Task HostNameResolvingToRefusedAddresses_IsRefusedAtConnect(string answers)
    {
        var addresses = answers.Split(',').Select(IPAddress.Parse).ToArray();
        using var sender = Sender(allowLoopback: false, resolver: (host, _) => Task.FromResult(host == "hooks.example.test" ? addresses : []));

        var error = await Assert.ThrowsAsync<WebhookRefusedException>(() => sender.SendAsync(new Uri("https://hooks.example.test/flux"), Event(), CancellationToken.None));

        Assert.Contains("host hooks.example.test resolves to", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Connect_UsesTheCheckedAddress_NotASecondLookup()
    {
        // The resolver is asked once per connection and the socket goes to what it answered: a name that
        // "rebinds" to loopback on a second lookup never gets one. Loopback is allowed here so the first
        // answer (the receiver) is reachable; the second answer would be a refused private address.
        using var receiver = new WebhookReceiver(_ => 200);
        int lookups = 0;
        using var sender = Sender(resolver: (_, _) => Task.FromResult(Interlocked.Increment(ref lookups) == 1 ? [IPAddress.Loopback] : new[] { IPAddress.Parse("10.0.0.9") }));

        int status = await sender.SendAsync(new Uri($"http://localhost:{receiver.Port}/hook"), Event(), CancellationToken.None);

        Assert.Equal((200, 1), (status, lookups));
        Assert.Single(receiver.Requests);
    }

    [Fact]
    public async Task ReceiverDown_IsRetryable()
    {
        using var sender = Sender();

        var error = await Assert.ThrowsAsync<WebhookDeliveryException>(() => sender.SendAsync(new Uri($"http://127.0.0.1:{WebhookReceiver.FreePort()}/hook"), Event(), CancellationToken.None));

        Assert.Null(error.StatusCode);
    }

    [Fact]
    public async Task NoSecret_RefusesToSendUnsigned()
    {
        using var receiver = new WebhookReceiver(_ => 200);
        using var sender = new WebhookSender(Options.Create(new FluxOptions { AllowLoopbackWebhooks = true }), TimeProvider.System);

        await Assert.ThrowsAsync<WebhookRefusedException>(() => sender.SendAsync(receiver.Url, Event(), CancellationToken.None));
        Assert.Empty(receiver.Requests);
    }
}
