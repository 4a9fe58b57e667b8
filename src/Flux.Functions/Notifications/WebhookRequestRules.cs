using Flux.Functions.Jobs;

namespace Flux.Functions.Notifications;

/// <summary>
/// Checks notify.webhook in a job request: a deployment secret exists, the URL passes the SSRF rules that
/// can be checked without DNS (<see cref="WebhookAddress"/>; resolved addresses are checked again when
/// connecting), and the event types are known and not repeated. Errors are keyed by field.
/// </summary>
internal static class WebhookRequestRules
{
    public const string Field = "notify.webhook";

    public static void Check(WebhookSpec? webhook, FluxOptions options, Action<string, string> addError)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(addError);
        if (webhook is null)
        {
            return;
        }

        if (options.WebhookSecret.Length == 0)
        {
            addError(Field, "webhooks are not enabled on this deployment (no Flux:WebhookSecret); use notify.events or ask the operator");
        }

        if (string.IsNullOrWhiteSpace(webhook.Url))
        {
            addError($"{Field}.url", "a url is required (https://host/path)");
        }
        else if (WebhookAddress.ProblemWithUrl(webhook.Url, options.AllowLoopbackWebhooks) is { } problem)
        {
            addError($"{Field}.url", problem);
        }

        if (webhook.Events is { } events)
        {
            if (events.Count == 0)
            {
                addError($"{Field}.events", $"events must name at least one of {string.Join(", ", WebhookSpec.EventTypes)}, or be left out for all");
            }

            for (int i = 0; i < events.Count; i++)
            {
                if (!WebhookSpec.EventTypes.Contains(events[i], StringComparer.Ordinal))
                {
                    addError($"{Field}.events[{i}]", $"event type {InputText.Quote(events[i])} is unknown; use {string.Join(" or ", WebhookSpec.EventTypes)}");
                }
                else if (events.Take(i).Contains(events[i], StringComparer.Ordinal))
                {
                    addError($"{Field}.events[{i}]", $"event type {InputText.Quote(events[i])} is listed twice");
                }
            }
        }
    }
}
