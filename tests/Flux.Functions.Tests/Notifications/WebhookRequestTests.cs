using Flux.Functions.Events;
using Flux.Functions.Jobs;
using Flux.Functions.Notifications;
using Flux.Functions.Rendering;
using Microsoft.Extensions.Options;

namespace Flux.Functions.Tests.Notifications;

/// <summary>notify.webhook in requests and the webhook settings: refused with the field named, before any work starts.</summary>
public sealed class WebhookRequestTests
{
    private static readonly ModelDefaults Model = new(512, 512, 4, 3.5f, "euler", FixedSize: false);
    private static readonly string Secret = WebhookReceiver.NewSecret();

    private static JobValidation Validate(WebhookSpec webhook, string secret = "", bool allowLoopback = false)
        => new JobValidator(new FluxOptions { WebhookSecret = secret, AllowLoopbackWebhooks = allowLoopback }, Model)
            .Validate(new JobRequest([new JobItemRequest("a red circle")], Notify: new NotifySpec(Webhook: webhook)), "job-1");

    [Fact]
    public void ValidWebhook_IsKeptInTheJob()
    {
        var webhook = new WebhookSpec("https://hooks.example.com/flux", [FluxEvents.JobCompleted]);

        var job = Validate(webhook, Secret).Job;

        Assert.Equal(webhook, job?.Notify.Webhook);
    }

    [Fact]
    public void Webhook_OnADeploymentWithoutASecret_IsRefused()
    {
        var errors = Validate(new WebhookSpec("https://hooks.example.com/flux")).Errors;

        Assert.Contains("Flux:WebhookSecret", Assert.Single(errors["notify.webhook"]), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://hooks.example.com/flux", "https only")]
    [InlineData("https://10.0.0.1/flux", "private")]
    [InlineData("https://169.254.169.254/", "link-local")]
    [InlineData("https://[::1]/flux", "loopback")]
    [InlineData("", "a url is required")]
    [InlineData("flux", "absolute https URL")]
    public void BadUrls_AreRefusedUnderTheUrlField(string url, string reason)
    {
        var errors = Validate(new WebhookSpec(url), Secret).Errors;

        Assert.Contains(reason, Assert.Single(errors["notify.webhook.url"]), StringComparison.Ordinal);
    }

    [Fact]
    public void LoopbackHttp_IsAcceptedWithTheDevelopmentSetting()
        => Assert.True(Validate(new WebhookSpec("http://127.0.0.1:7071/hook"), Secret, allowLoopback: true).IsValid);

    [Fact]
    public void UnknownOrRepeatedEventTypes_AreRefusedByIndex()
    {
        var errors = Validate(new WebhookSpec("https://hooks.example.com/flux", [FluxEvents.JobCompleted, "Flux.Generation.Started", FluxEvents.JobCompleted]), Secret).Errors;

        Assert.Contains("unknown", Assert.Single(errors["notify.webhook.events[1]"]), StringComparison.Ordinal);
        Assert.Contains("listed twice", Assert.Single(errors["notify.webhook.events[2]"]), StringComparison.Ordinal);
        Assert.False(errors.ContainsKey("notify.webhook.events[0]"));
    }

    [Fact]
    public void EmptyEventList_IsRefused()
        => Assert.True(Validate(new WebhookSpec("https://hooks.example.com/flux", []), Secret).Errors.ContainsKey("notify.webhook.events"));

    [Fact]
    public void Json_WithAMisspelledWebhookField_NamesItAndTheFieldsThere()
    {
        var (request, errors) = JobStarter.Parse("""{"items":[{"prompt":"a"}],"notify":{"webhook":{"uri":"https://x.example"}}}""");

        Assert.Null(request);
        Assert.Equal("unknown field \"uri\"; the fields here are url, events", Assert.Single(errors["notify.webhook.uri"]));
    }

    [Fact]
    public void Json_WithAWebhook_Parses()
    {
        var (request, errors) = JobStarter.Parse("""{"items":[{"prompt":"a"}],"notify":{"webhook":{"url":"https://x.example/h","events":["Flux.Generation.JobCompleted"]}}}""");

        Assert.Empty(errors);
        Assert.Equal(new WebhookSpec("https://x.example/h", [FluxEvents.JobCompleted]).Url, request!.Notify!.Webhook!.Url);
        Assert.Equal([FluxEvents.JobCompleted], request.Notify.Webhook.Events);
    }

    [Theory]
    [InlineData("secret", "must start with \"whsec_\"")]
    [InlineData("whsec_not base64!", "must be base64")]
    [InlineData("whsec_AAAA", "3-byte key")]
    public void BadSecrets_FailStartUpValidation(string secret, string reason)
    {
        var error = Assert.Throws<OptionsValidationException>(() => Bind(secret));

        Assert.Contains("Flux:WebhookSecret", error.Message, StringComparison.Ordinal);
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GeneratedSecret_PassesStartUpValidation()
        => Assert.Equal(Secret, Bind(Secret).WebhookSecret);

    private static FluxOptions Bind(string secret) => InputImageOptionsTests.Bind(new() { ["Flux:WebhookSecret"] = secret });

    [Fact]
    public void WebhookPolicy_ComesFromTheOptions()
        => Assert.Equal(new WebhookPolicy(7, TimeSpan.FromSeconds(3)), WebhookPolicy.From(new FluxOptions { WebhookMaxAttempts = 7, WebhookFirstRetryInterval = TimeSpan.FromSeconds(3) }));
}
