using System.Text.Json;
using Comx.Core.Http;
using Comx.Core.Events;

namespace Comx.Core.Deliveries;

public sealed record CreateWebhookRequest(string Url, IReadOnlyList<string> Events) : IValidatable
{
    public IEnumerable<FieldError> Validate()
    {
        if (string.IsNullOrWhiteSpace(Url))
        {
            yield return new FieldError("url", "url is an absolute http or https URL.");
        }

        if (Events is null || Events.Count == 0)
        {
            yield return new FieldError("events", "events lists at least one event type.");
            yield break;
        }

        for (var i = 0; i < Events.Count; i++)
        {
            if (!EventTypes.All.Contains(Events[i], StringComparer.Ordinal))
            {
                yield return new FieldError($"events[{i}]", $"Unknown event type '{Events[i]}'. Known types: {string.Join(", ", EventTypes.All)}.");
            }
        }
    }
}

public sealed record WebhookResponse(string HookId, string Url, IReadOnlyList<string> Events, HookStatus Status, DateTimeOffset CreatedAt, string CreatedBy,
    DateTimeOffset? PausedAt, string? PauseReason, int ConsecutiveFailures, DateTimeOffset? FailingSince, DateTimeOffset? LastSuccessAt, DateTimeOffset? LastFailureAt)
{
    public static WebhookResponse From(WebhookSubscription h) => new(h.HookId, h.Url, h.Events, h.Status, h.CreatedAt, h.CreatedBy, h.PausedAt, h.PauseReason,
        h.ConsecutiveFailures, h.FailingSince, h.LastSuccessAt, h.LastFailureAt);
}

/// <summary>The only response that carries the signing secret: on creation.</summary>
public sealed record CreatedWebhookResponse(string HookId, string Url, IReadOnlyList<string> Events, string SigningSecret, HookStatus Status, DateTimeOffset CreatedAt);

public sealed record DeliveryResponse(string DeliveryId, string EventId, string EventType, DeliveryStatus Status, int AttemptCount, IReadOnlyList<DeliveryAttempt> Attempts,
    DateTimeOffset CreatedAt, DateTimeOffset? NextAttemptAt, DateTimeOffset? FinishedAt, string? SkipReason, string? ResendOf)
{
    public static DeliveryResponse From(Delivery d) => new(d.DeliveryId, d.EventId, d.EventType, d.Status, d.Attempts.Count, d.Attempts, d.CreatedAt, d.NextAttemptAt,
        d.FinishedAt, d.SkipReason, d.ResendOf);
}

public sealed record ResendResponse(string DeliveryId, string HookId, string EventId, DeliveryStatus Status, string ResendOf);

/// <summary>One event type's example delivery body, and where the OpenAPI document publishes the schema of its <c>data</c>.</summary>
public sealed record WebhookSample(string EventType, string DataSchema, JsonElement Body);
