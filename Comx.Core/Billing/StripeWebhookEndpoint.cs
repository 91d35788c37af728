using System.Text.Json;
using Comx.Core.Http;
using Comx.Core.Identity;
using Comx.Core.Storage;

namespace Comx.Core.Billing;

/// <summary>What the Stripe webhook handler needs, given to it explicitly.</summary>
public sealed record StripeWebhookServices(BillingSync Sync, InboundEventLog Events);

/// <summary>
/// <c>POST /api/webhooks/stripe</c>: the signature was verified on the raw body by the pipeline. Events are read from
/// the raw JSON through <see cref="StripeEventEnvelope"/> (not Stripe.net's classes, whose shapes follow one API version) and applied once by
/// event id; an unknown type is acknowledged and ignored.
/// </summary>
internal static class StripeWebhookEndpoint
{
    public const string Source = "stripe";

    public static RouteDefinition Route => new(RouteNames.StripeWebhook, "POST", Http.Routes.StripeWebhook, RouteAuth.StripeWebhook, EndpointServices.With<StripeWebhookServices>(HandleAsync))
    {
        ResponseType = typeof(WebhookReceipt),
        Summary = "Stripe billing events (checkout, subscriptions, failed payments).",
    };

    private static async Task<ApiResult> HandleAsync(StripeWebhookServices services, RequestContext context, CancellationToken cancellationToken)
    {
        if (StripeEventEnvelope.TryParse(context.RawBody.Span) is not { } e)
        {
            return ApiError.Validation("body", "A Stripe event needs id, type, created and data.object.");
        }

        if (!StorageKeys.IsSafeKey(e.Id))
        {
            return ApiError.Validation("id", "A Stripe event id is evt_ followed by letters and digits.");
        }

        var sync = services.Sync;
        var handled = e.Type is "checkout.session.completed" or "customer.subscription.created" or "customer.subscription.updated"
            or "customer.subscription.deleted" or "invoice.payment_failed";
        return await services.Events.ApplyOnceAsync(Source, e.Id, e.Type, handled, ct => ApplyAsync(sync, e, ct), cancellationToken);
    }

    private static async Task<ApiError?> ApplyAsync(BillingSync sync, StripeEventEnvelope e, CancellationToken cancellationToken)
    {
        var created = e.Created.ToUnixTimeSeconds();
        switch (e.Type)
        {
            case "checkout.session.completed":
                var orgId = e.GetString("client_reference_id") ?? e.GetString("metadata", "org_id");
                if (orgId is null || e.GetString("customer") is not { } customer || !StorageKeys.IsSafeKey(orgId) || !StorageKeys.IsSafeKey(customer))
                {
                    return ApiError.Validation("data.object.client_reference_id", "checkout.session.completed needs client_reference_id (or metadata.org_id) and customer.");
                }

                await sync.LinkCustomerAsync(orgId, customer, e.GetString("subscription"), created, cancellationToken);
                break;
            case "customer.subscription.created" or "customer.subscription.updated" or "customer.subscription.deleted":
                if (e.GetString("customer") is not { } subscriber || e.ObjectId is not { } subscriptionId || !StorageKeys.IsSafeKey(subscriber))
                {
                    return ApiError.Validation("data.object.customer", "A subscription event needs id and customer.");
                }

                var status = e.Type.EndsWith(".deleted", StringComparison.Ordinal) ? "canceled" : e.GetString("status") ?? "active";
                if (status.Length > MaxStatus)
                {
                    return ApiError.Validation("data.object.status", "A subscription status is a short word such as active or past_due.");
                }

                await sync.ApplySubscriptionAsync(subscriber, subscriptionId, status, PriceOf(e.DataObject), e.GetString("metadata", "org_id"), created, cancellationToken);
                break;
            case "invoice.payment_failed":
                if (e.GetString("customer") is not { } debtor || !StorageKeys.IsSafeKey(debtor))
                {
                    return ApiError.Validation("data.object.customer", "invoice.payment_failed needs customer.");
                }

                await sync.MarkPastDueAsync(debtor, created, cancellationToken);
                break;
            default:
                break;
        }

        return null;
    }

    private const int MaxStatus = 40;

    /// <summary>
    /// The first subscription item's price id (<c>items.data[0].price.id</c>, or <c>price</c> as a bare id); null when the
    /// items are missing or shaped otherwise (a string, null, entries that are not objects): a signed event is never a 500.
    /// </summary>
    private static string? PriceOf(JsonElement subscription)
    {
        if (!subscription.TryGetProperty("items", out var items) || items.ValueKind != JsonValueKind.Object
            || !items.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Array || data.GetArrayLength() == 0
            || data[0].ValueKind != JsonValueKind.Object || !data[0].TryGetProperty("price", out var price))
        {
            return null;
        }

        var id = price.ValueKind switch
        {
            JsonValueKind.Object when price.TryGetProperty("id", out var priceId) && priceId.ValueKind == JsonValueKind.String => priceId.GetString(),
            JsonValueKind.String => price.GetString(),
            _ => null,
        };
        return id is { Length: <= 200 } ? id : null;
    }
}
