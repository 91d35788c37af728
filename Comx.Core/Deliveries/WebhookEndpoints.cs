using System.Text.Json;
using Comx.Core.Http;
using Comx.Core.Events;
using Comx.Core.Network;
using Comx.Core.Storage;
using Microsoft.Extensions.Options;

namespace Comx.Core.Deliveries;

/// <summary>What the subscription handlers need, given to them explicitly.</summary>
public sealed record WebhookServices(WebhookStore Hooks, DeliveryStore Deliveries, DeliveryScheduler Scheduler, IOptions<NetworkOptions> Network, TimeProvider Time);

/// <summary>
/// Event subscriptions: create (the signing secret is shown once), list, delete, re-enable after a pause, the
/// deliveries of one subscription with every attempt, resending one delivery, and a sample body per event type.
/// </summary>
internal static class WebhookEndpoints
{
    public static IEnumerable<RouteDefinition> Routes =>
    [
        new(RouteNames.ListWebhooks, "GET", Http.Routes.Webhooks, RouteAuth.OrgAdmin, EndpointServices.With<WebhookServices>(ListAsync))
        { ResponseType = typeof(ListResponse<WebhookResponse>), Summary = "Every event subscription of the organisation (at most 20), oldest first." },
        new(RouteNames.CreateWebhook, "POST", Http.Routes.Webhooks, RouteAuth.OrgAdmin, EndpointServices.With<WebhookServices>(CreateAsync))
        {
            RequestType = typeof(CreateWebhookRequest), ResponseType = typeof(CreatedWebhookResponse), SuccessStatus = 201,
            Summary = "Subscribes a URL to event types. The signing secret (whsec_…) is in this response only; deliveries carry X-Comx-Signature = hex HMAC-SHA256 of the raw body keyed with it.",
        },
        new(RouteNames.DeleteWebhook, "DELETE", Http.Routes.Webhook, RouteAuth.OrgAdmin, EndpointServices.With<WebhookServices>(DeleteAsync))
        { SuccessStatus = 204, Summary = "Deletes a subscription; its pending retries are skipped." },
        new(RouteNames.ListWebhookDeliveries, "GET", Http.Routes.WebhookDeliveries, RouteAuth.OrgAdmin, EndpointServices.With<WebhookServices>(ListDeliveriesAsync))
        { ResponseType = typeof(ListResponse<DeliveryResponse>), Paged = true, Summary = "The subscription's deliveries, newest first, each with its attempts (status, latency, error, start of the response)." },
        new(RouteNames.EnableWebhook, "POST", Http.Routes.WebhookEnable, RouteAuth.OrgAdmin, EndpointServices.With<WebhookServices>(EnableAsync))
        { ResponseType = typeof(WebhookResponse), Summary = "Makes a paused subscription active again and resets its failure counters. Deliveries skipped while it was paused can be resent." },
        new(RouteNames.ResendWebhookDelivery, "POST", Http.Routes.WebhookResend, RouteAuth.OrgAdmin, EndpointServices.With<WebhookServices>(ResendAsync))
        {
            ResponseType = typeof(ResendResponse), SuccessStatus = 202,
            Summary = "Sends the same event body to the same subscription again, as a new delivery (new X-Comx-Delivery; the body's id is the event's). 409 while the subscription is paused.",
        },
        new(RouteNames.GetWebhookSamples, "GET", Http.Routes.WebhookSamples, RouteAuth.Org, EndpointServices.With<WebhookServices>(SamplesAsync))
        { ResponseType = typeof(ListResponse<WebhookSample>), Summary = "One example body for every event type, exactly as it would be delivered." },
    ];

    private static async Task<ApiResult> ListAsync(WebhookServices services, RequestContext context, CancellationToken cancellationToken)
    {
        var hooks = await services.Hooks.ListAsync(context.Org.OrgId, cancellationToken);
        return ApiResult.Ok(new ListResponse<WebhookResponse>([.. hooks.Select(WebhookResponse.From)], null));
    }

    private static async Task<ApiResult> CreateAsync(WebhookServices services, RequestContext context, CancellationToken cancellationToken)
    {
        var request = context.BodyAs<CreateWebhookRequest>();
        var url = request.Url.Trim();
        var allowPrivate = services.Network.Value.AllowPrivateTargets;
        if (NetworkGuard.ValidateTargetUrl(url, "url", allowPrivate) is { } invalid)
        {
            return ApiError.Validation([invalid]);
        }

        var store = services.Hooks;
        if (await store.CreateAsync(context.Org.OrgId, url, request.Events, context.Org.Stamp, cancellationToken) is not { } hook)
        {
            return ApiError.Forbidden($"An organisation has at most {WebhookStore.MaxHooksPerOrg} subscriptions; delete one first.", "subscription_limit", WebhookStore.MaxHooksPerOrg);
        }

        return ApiResult.Created(new CreatedWebhookResponse(hook.HookId, hook.Url, hook.Events, hook.SigningSecret, hook.Status, hook.CreatedAt));
    }

    private static async Task<ApiResult> DeleteAsync(WebhookServices services, RequestContext context, CancellationToken cancellationToken) =>
        await services.Hooks.DeleteAsync(context.Org.OrgId, context.Value("hookId"), cancellationToken)
            ? ApiResult.NoContent()
            : ApiError.NotFound("webhook subscription");

    private static async Task<ApiResult> ListDeliveriesAsync(WebhookServices services, RequestContext context, CancellationToken cancellationToken)
    {
        var page = PageRequest.From(context);
        if (page.Error is { } pageError)
        {
            return pageError;
        }

        if (await services.Hooks.GetAsync(context.Org.OrgId, context.Value("hookId"), cancellationToken) is not { } hook)
        {
            return ApiError.NotFound("webhook subscription");
        }

        var deliveries = await services.Deliveries.ListForHookAsync(context.Org.OrgId, hook.HookId, page.Value!, cancellationToken);
        return ApiResult.Ok(new ListResponse<DeliveryResponse>([.. deliveries.Data.Select(DeliveryResponse.From)], deliveries.NextCursor));
    }

    private static async Task<ApiResult> EnableAsync(WebhookServices services, RequestContext context, CancellationToken cancellationToken) =>
        await services.Hooks.EnableAsync(context.Org.OrgId, context.Value("hookId"), cancellationToken) is { } hook
            ? ApiResult.Ok(WebhookResponse.From(hook))
            : ApiError.NotFound("webhook subscription");

    private static async Task<ApiResult> ResendAsync(WebhookServices services, RequestContext context, CancellationToken cancellationToken)
    {
        var orgId = context.Org.OrgId;
        if (await services.Hooks.GetAsync(orgId, context.Value("hookId"), cancellationToken) is not { } hook)
        {
            return ApiError.NotFound("webhook subscription");
        }

        var deliveryId = context.Value("deliveryId");
        var store = services.Deliveries;
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
        await services.Scheduler.SendAttemptAsync(orgId, resent.Row, 1, cancellationToken: cancellationToken);
        return ApiResult.Accepted(new ResendResponse(resent.DeliveryId, hook.HookId, resent.EventId, resent.Status, original.DeliveryId));
    }

    private static Task<ApiResult> SamplesAsync(WebhookServices services, RequestContext context, CancellationToken cancellationToken)
    {
        var now = services.Time.GetUtcNow();
        var samples = EventCatalog.Samples(context.Org.OrgId, now)
            .Select(s => new WebhookSample(s.Definition.Type, s.Definition.SchemaRef, JsonSerializer.Deserialize<JsonElement>(s.Json)))
            .ToList();
        return Task.FromResult(ApiResult.Ok(new ListResponse<WebhookSample>(samples, null)));
    }
}
