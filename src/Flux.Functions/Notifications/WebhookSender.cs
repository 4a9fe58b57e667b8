using System.Net;
using System.Net.Http.Headers;
using Azure.Messaging;
using Microsoft.Extensions.Options;
using StandardWebhooks;

namespace Flux.Functions.Notifications;

/// <summary>
/// POSTs one CloudEvent (structured JSON, application/cloudevents+json) signed per the Standard Webhooks
/// specification: webhook-id (the event's id, the same on every retry so receivers can drop
/// duplicates), webhook-timestamp (Unix seconds of this attempt) and webhook-signature
/// ("v1," + base64 HMAC-SHA256 of "id.timestamp.body" under the deployment's whsec_ secret), computed by
/// the StandardWebhooks package. 2xx is delivered; 408, 429 and 5xx and network failures throw
/// <see cref="WebhookDeliveryException"/> (retried); redirects and other statuses, and targets the SSRF
/// rules refuse, throw <see cref="WebhookRefusedException"/> (not retried).
/// </summary>
internal sealed class WebhookSender : IDisposable
{
    public const string ContentType = "application/cloudevents+json";

    private readonly HttpClient _http;
    private readonly StandardWebhook? _signer;
    private readonly TimeProvider _clock;
    private readonly bool _allowLoopback;

    public WebhookSender(IOptions<FluxOptions> options, TimeProvider clock, HostResolver? resolver = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var settings = options.Value;
        _allowLoopback = settings.AllowLoopbackWebhooks;
        _clock = clock;
        _signer = settings.WebhookSecret.Length > 0 ? new StandardWebhook(settings.WebhookSecret) : null;
        _http = new HttpClient(WebhookConnector.CreateHandler(_allowLoopback, resolver ?? WebhookConnector.Dns, settings.WebhookTimeout))
        {
            Timeout = settings.WebhookTimeout,
        };
    }

    public async Task<int> SendAsync(Uri target, CloudEvent cloudEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(cloudEvent);
        if (_signer is null)
        {
            throw new WebhookRefusedException("webhooks are not configured on this deployment (Flux:WebhookSecret is empty)");
        }

        if (WebhookAddress.ProblemWithUri(target, _allowLoopback) is { } problem)
        {
            throw new WebhookRefusedException(problem);
        }

        string body = BinaryData.FromObjectAsJson(cloudEvent).ToString();
        var timestamp = _clock.GetUtcNow();
        using var request = new HttpRequestMessage(HttpMethod.Post, target)
        {
            Content = new StringContent(body, System.Text.Encoding.UTF8, ContentType),
        };
        request.Headers.Add("webhook-id", cloudEvent.Id);
        request.Headers.Add("webhook-timestamp", timestamp.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.Add("webhook-signature", _signer.Sign(cloudEvent.Id, timestamp, body));
        request.Headers.UserAgent.Add(new ProductInfoHeaderValue("Flux.Functions-Webhooks", "1"));

        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e) when (FindRefusal(e) is { } refused)
        {
            throw new WebhookRefusedException(refused.Message, e);
        }
        catch (HttpRequestException e)
        {
            throw new WebhookDeliveryException($"POST to {Describe(target)} failed: {e.Message}", null, e);
        }
        catch (TaskCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new WebhookDeliveryException($"POST to {Describe(target)} timed out after {_http.Timeout.TotalSeconds:0.#} s", null, e);
        }

        using (response)
        {
            int status = (int)response.StatusCode;
            if (response.IsSuccessStatusCode)
            {
                return status;
            }

            if (status is >= 300 and < 400)
            {
                throw new WebhookRefusedException($"{Describe(target)} answered {status} redirecting to {response.Headers.Location?.ToString() ?? "(no location)"}; redirects are not followed", status);
            }

            if (status is 408 or 429 or >= 500)
            {
                throw new WebhookDeliveryException($"{Describe(target)} answered {status} {response.ReasonPhrase}", status);
            }

            throw new WebhookRefusedException($"{Describe(target)} answered {status} {response.ReasonPhrase}; not retried", status);
        }
    }

    /// <summary>The target without query or credentials, for messages and the manifest (a query may hold a token).</summary>
    public static string Describe(Uri target) => target.GetLeftPart(UriPartial.Path);

    private static WebhookRefusedException? FindRefusal(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
        {
            if (e is WebhookRefusedException refused)
            {
                return refused;
            }
        }

        return null;
    }

    public void Dispose() => _http.Dispose();
}

/// <summary>A delivery attempt failed in a way worth retrying (network failure, timeout, 408, 429, 5xx).</summary>
internal sealed class WebhookDeliveryException : Exception
{
    public WebhookDeliveryException(string message, int? statusCode, Exception? innerException = null)
        : base(message, innerException) => StatusCode = statusCode;

    public WebhookDeliveryException() : base("webhook delivery failed") { }

    public WebhookDeliveryException(string message) : base(message) { }

    public WebhookDeliveryException(string message, Exception innerException) : base(message, innerException) { }

    /// <summary>The HTTP status the target answered, when it answered.</summary>
    public int? StatusCode { get; }
}
