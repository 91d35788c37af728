using System.Text.Json;
using Comx.Core.Http;
using Comx.Core.Events;
using Comx.Core.Network;
using Comx.Core.Storage;
using Microsoft.Extensions.Options;

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

/// <summary>
/// Event subscriptions: create (the signing secret is shown once), list, delete, re-enable after a pause, the
/// deliveries of one subscription with every attempt, resending one delivery, and a sample body per event type.
/// </summary>
internal static class WebhookEndpoints
{
    public static IEnumerable<RouteDefinition> Routes =>
    [
        new(RouteNames.ListWebhooks, "GET", Http.Routes.Webhooks, RouteAuth.OrgAdmin, ListAsync)
        { ResponseType = typeof(ListResponse<WebhookResponse>), Summary = "Every event subscription of the organisation (at most 20), oldest first." },
        new(RouteNames.CreateWebhook, "POST", Http.Routes.Webhooks, RouteAuth.OrgAdmin, CreateAsync)
        {
            RequestType = typeof(CreateWebhookRequest), ResponseType = typeof(CreatedWebhookResponse), SuccessStatus = 201,
            Summary = "Subscribes a URL to event types. The signing secret (whsec_…) is in this response only; deliveries carry X-Comx-Signature = hex HMAC-SHA256 of the raw body keyed with it.",
        },
        new(RouteNames.DeleteWebhook, "DELETE", Http.Routes.Webhook, RouteAuth.OrgAdmin, DeleteAsync)
        { SuccessStatus = 204, Summary = "Deletes a subscription; its pending retries are skipped." },
        new(RouteNames.ListWebhookDeliveries, "GET", Http.Routes.WebhookDeliveries, RouteAuth.OrgAdmin, ListDeliveriesAsync)
        { ResponseType = typeof(ListResponse<DeliveryResponse>), Paged = true, Summary = "The subscription's deliveries, newest first, each with its attempts (status, latency, error, start of the response)." },
        new(RouteNames.EnableWebhook, "POST", Http.Routes.WebhookEnable, RouteAuth.OrgAdmin, EnableAsync)
        { ResponseType = typeof(WebhookResponse), Summary = "Makes a paused subscription active again and resets its failure counters. Deliveries skipped while it was paused can be resent." },
        new(RouteNames.ResendWebhookDelivery, "POST", Http.Routes.WebhookResend, RouteAuth.OrgAdmin, ResendAsync)
        {
            ResponseType = typeof(ResendResponse), SuccessStatus = 202,
            Summary = "Sends the same event body to the same subscription again, as a new delivery (new X-Comx-Delivery; the body's id is the event's). 409 while the subscription is paused.",
        },
        new(RouteNames.GetWebhookSamples, "GET", Http.Routes.WebhookSamples, RouteAuth.Org, SamplesAsync)
        { ResponseType = typeof(ListResponse<WebhookSample>), Summary = "One example body for every event type, exactly as it would be delivered." },
    ];

    private static async Task<ApiResult> ListAsync(RequestContext context, CancellationToken cancellationToken)
    {
        var hooks = await context.Service<WebhookStore>().ListAsync(context.Org.OrgId, cancellationToken);
        return ApiResult.Ok(new ListResponse<WebhookResponse>([.. hooks.Select(WebhookResponse.From)], null));
    }

    private static async Task<ApiResult> CreateAsync(RequestContext context, CancellationToken cancellationToken)
    {
        var request = context.BodyAs<CreateWebhookRequest>();
        var url = request.Url.Trim();
        var allowPrivate = context.Service<IOptions<NetworkOptions>>().Value.AllowPrivateTargets;
        if (NetworkGuard.ValidateTargetUrl(url, "url", allowPrivate) is { } invalid)
        {
            return ApiError.Validation([invalid]);
        }

        var store = context.Service<WebhookStore>();
        if (await store.CreateAsync(context.Org.OrgId, url, request.Events, context.Org.Stamp, cancellationToken) is not { } hook)
        {
            return ApiError.Forbidden($"An organisation has at most {WebhookStore.MaxHooksPerOrg} subscriptions; delete one first.", "subscription_limit", WebhookStore.MaxHooksPerOrg);
        }

        return ApiResult.Created(new CreatedWebhookResponse(hook.HookId, hook.Url, hook.Events, hook.SigningSecret, hook.Status, hook.CreatedAt));
    }

    private static async Task<ApiResult> DeleteAsync(RequestContext context, CancellationToken cancellationToken) =>
        await context.Service<WebhookStore>().DeleteAsync(context.Org.OrgId, context.Value("hookId"), cancellationToken)
            ? ApiResult.NoContent()
            : ApiError.NotFound("webhook subscription");

    private static async Task<ApiResult> ListDeliveriesAsync(RequestContext context, CancellationToken cancellationToken)
    {
        var page = PageRequest.From(context);
        if (page.Error is { } pageError)
        {
            return pageError;
        }

        if (await context.Service<WebhookStore>().GetAsync(context.Org.OrgId, context.Value("hookId"), cancellationToken) is not { } hook)
        {
            return ApiError.NotFound("webhook subscription");
        }

        var deliveries = await context.Service<DeliveryStore>().ListForHookAsync(context.Org.OrgId, hook.HookId, page.Value!, cancellationToken);
        return ApiResult.Ok(new ListResponse<DeliveryResponse>([.. deliveries.Data.Select(DeliveryResponse.From)], deliveries.NextCursor));
    }

    private static async Task<ApiResult> EnableAsync(RequestContext context, CancellationToken cancellationToken) =>
        await context.Service<WebhookStore>().EnableAsync(context.Org.OrgId, context.Value("hookId"), cancellationToken) is { } hook
            ? ApiResult.Ok(WebhookResponse.From(hook))
            : ApiError.NotFound("webhook subscription");

    private static async Task<ApiResult> ResendAsync(RequestContext context, CancellationToken cancellationToken)
    {
        var orgId = context.Org.OrgId;
        if (await context.Service<WebhookStore>().GetAsync(orgId, context.Value("hookId"), cancellationToken) is not { } hook)
        {
            return ApiError.NotFound("webhook subscription");
        }

        var deliveryId = context.Value("deliveryId");
        var store = context.Service<DeliveryStore>();
        if (!StorageKeys.IsSafeKey(deliveryId) || await store.GetAsync(orgId, DeliveryStore.HookRow(hook.HookId, deliveryId), cancellationToken) is not { } original)
        {
            return ApiError.NotFound("delivery");
        }

        if (hook.Status == HookStatus.Paused)
        {
            return new ApiError(ErrorCode.IdempotencyConflict, "The subscription is paused. Enable it, then resend.",
                new Dictionary<string, object?> { ["reason"] = "subscription_paused" });
        }

        var (resent, _) = await store.AddAsync(orgId, DeliveryKind.Hook, hook.HookId, store.NewDeliveryId(), original.EventId, original.EventType, null, original.Body,
            resendOf: original.DeliveryId, cancellationToken: cancellationToken);
        await context.Service<DeliveryScheduler>().SendAttemptAsync(orgId, resent.Row, 1, cancellationToken: cancellationToken);
        return ApiResult.Accepted(new ResendResponse(resent.DeliveryId, hook.HookId, resent.EventId, resent.Status, original.DeliveryId));
    }

    private static Task<ApiResult> SamplesAsync(RequestContext context, CancellationToken cancellationToken)
    {
        var now = context.Service<TimeProvider>().GetUtcNow();
        var samples = EventCatalog.Samples(context.Org.OrgId, now)
            .Select(s => new WebhookSample(s.Definition.Type, s.Definition.SchemaRef, JsonSerializer.Deserialize<JsonElement>(s.Json)))
            .ToList();
        return Task.FromResult(ApiResult.Ok(new ListResponse<WebhookSample>(samples, null)));
    }
}
