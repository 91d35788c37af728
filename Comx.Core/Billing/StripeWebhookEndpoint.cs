using System.Text.Json;
using Comx.Core.Http;
using Comx.Core.Identity;

namespace Comx.Core.Billing;

/// <summary>
/// <c>POST /api/webhooks/stripe</c>: the signature was verified on the raw body by the pipeline. Events are read from
/// the raw JSON (not deserialised into Stripe.net's classes, whose shapes follow one API version) and applied once by
/// event id; an unknown type is acknowledged and ignored.
/// </summary>
internal static class StripeWebhookEndpoint
{
    public const string Source = "stripe";

    public static RouteDefinition Route => new(RouteNames.StripeWebhook, "POST", Http.Routes.StripeWebhook, RouteAuth.StripeWebhook, HandleAsync)
    {
        ResponseType = typeof(WebhookReceipt),
        Summary = "Stripe billing events (checkout, subscriptions, failed payments).",
    };

    private static async Task<ApiResult> HandleAsync(RequestContext context, CancellationToken cancellationToken)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(context.RawBody);
        }
        catch (JsonException)
        {
            return ApiError.Validation("body", "The body is not JSON.");
        }

        using (document)
        {
            var root = document.RootElement;
            if (Text(root, "id") is not { } eventId || Text(root, "type") is not { } type
                || !root.TryGetProperty("created", out var createdElement) || !createdElement.TryGetInt64(out var created)
                || !root.TryGetProperty("data", out var data) || !data.TryGetProperty("object", out var obj) || obj.ValueKind != JsonValueKind.Object)
            {
                return ApiError.Validation("body", "A Stripe event needs id, type, created and data.object.");
            }

            var log = context.Service<InboundEventLog>();
            if (await log.WasAppliedAsync(Source, eventId, cancellationToken))
            {
                return ApiResult.Ok(new WebhookReceipt(true, true, false));
            }

            var sync = context.Service<BillingSync>();
            var handled = true;
            switch (type)
            {
                case "checkout.session.completed":
                    var orgId = Text(obj, "client_reference_id") ?? (obj.TryGetProperty("metadata", out var meta) ? Text(meta, "org_id") : null);
                    if (orgId is null || Text(obj, "customer") is not { } customer || !Storage.StorageKeys.IsSafeKey(orgId) || !Storage.StorageKeys.IsSafeKey(customer))
                    {
                        return ApiError.Validation("data.object.client_reference_id", "checkout.session.completed needs client_reference_id (or metadata.org_id) and customer.");
                    }

                    await sync.LinkCustomerAsync(orgId, customer, Text(obj, "subscription"), created, cancellationToken);
                    break;
                case "customer.subscription.created" or "customer.subscription.updated" or "customer.subscription.deleted":
                    if (Text(obj, "customer") is not { } subscriber || Text(obj, "id") is not { } subscriptionId || !Storage.StorageKeys.IsSafeKey(subscriber))
                    {
                        return ApiError.Validation("data.object.customer", "A subscription event needs id and customer.");
                    }

                    var status = type.EndsWith(".deleted", StringComparison.Ordinal) ? "canceled" : Text(obj, "status") ?? "active";
                    await sync.ApplySubscriptionAsync(subscriber, subscriptionId, status, PriceOf(obj),
                        obj.TryGetProperty("metadata", out var subMeta) ? Text(subMeta, "org_id") : null, created, cancellationToken);
                    break;
                case "invoice.payment_failed":
                    if (Text(obj, "customer") is not { } debtor || !Storage.StorageKeys.IsSafeKey(debtor))
                    {
                        return ApiError.Validation("data.object.customer", "invoice.payment_failed needs customer.");
                    }

                    await sync.MarkPastDueAsync(debtor, created, cancellationToken);
                    break;
                default:
                    handled = false;
                    break;
            }

            await log.RecordAppliedAsync(Source, eventId, type, cancellationToken);
            return ApiResult.Ok(new WebhookReceipt(true, false, !handled));
        }
    }

    private static string? PriceOf(JsonElement subscription) =>
        subscription.TryGetProperty("items", out var items) && items.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Array
            && data.GetArrayLength() > 0 && data[0].TryGetProperty("price", out var price) ? Text(price, "id") : null;

    private static string? Text(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
