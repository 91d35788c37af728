using Azure;
using Azure.Data.Tables;
using Comx.Core.Identity;
using Comx.Core.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Comx.Core.Billing;

/// <summary>
/// Applies Stripe billing events to organisations. Stripe does not promise order, so every change carries the event's
/// <c>created</c> time and an older event never overwrites a newer one. A customer row remembers the latest state per
/// Stripe customer, so a subscription event that arrives before the checkout that links the customer to an
/// organisation is not lost: linking copies it over.
/// </summary>
public sealed partial class BillingSync(ComxStorage storage, OrgDirectory directory, IOptions<StripeOptions> options, ILogger<BillingSync> logger)
{
    private const string CustomerRow = "customer";

    private TableClient Orgs => storage.Table(StorageNames.Tables.Orgs);

    /// <summary>checkout.session.completed: links the Stripe customer (and subscription) to the organisation.</summary>
    public async Task LinkCustomerAsync(string orgId, string customerId, string? subscriptionId, long version, CancellationToken cancellationToken = default)
    {
        var customer = await Orgs.UpdateAsync<CustomerEntity>(customerId, CustomerRow, current =>
        {
            var next = current ?? new CustomerEntity();
            next.OrgId = orgId;
            next.SubscriptionId ??= subscriptionId;
            return next;
        }, cancellationToken);
        await directory.UpdateBillingAsync(orgId, org =>
        {
            org.StripeCustomerId = customerId;
            org.StripeSubscriptionId = customer!.SubscriptionId ?? subscriptionId ?? org.StripeSubscriptionId;
            if (customer.Plan is not null && customer.Version >= org.BillingVersion)
            {
                org.Plan = customer.Plan;
                org.PlanStatus = customer.Status!;
                org.BillingVersion = customer.Version;
            }

            return true;
        }, cancellationToken);
    }

    /// <summary>customer.subscription.created/updated/deleted: sets plan and status from the price and status.</summary>
    public async Task ApplySubscriptionAsync(string customerId, string subscriptionId, string status, string? priceId, string? metadataOrgId,
        long version, CancellationToken cancellationToken = default)
    {
        var ended = status is "canceled" or "incomplete_expired";
        string? plan = ended ? nameof(Plan.Free) : PlanFor(priceId);
        var customer = await Orgs.UpdateAsync<CustomerEntity>(customerId, CustomerRow, current =>
        {
            if (current is not null && current.Version > version)
            {
                return null;
            }

            var next = current ?? new CustomerEntity();
            next.OrgId ??= metadataOrgId;
            next.SubscriptionId = subscriptionId;
            next.Plan = plan ?? next.Plan;
            next.Status = status;
            next.Version = version;
            return next;
        }, cancellationToken);

        var orgId = customer?.OrgId ?? metadataOrgId;
        if (orgId is null || !StorageKeys.IsSafeKey(orgId))
        {
            return;
        }

        await directory.UpdateBillingAsync(orgId, org =>
        {
            if (org.BillingVersion > version)
            {
                return false;
            }

            org.StripeCustomerId = customerId;
            org.StripeSubscriptionId = subscriptionId;
            org.Plan = plan ?? org.Plan;
            org.PlanStatus = status;
            org.BillingVersion = version;
            return true;
        }, cancellationToken);
    }

    /// <summary>invoice.payment_failed: the subscription is past due (unless a newer event says otherwise).</summary>
    public async Task MarkPastDueAsync(string customerId, long version, CancellationToken cancellationToken = default)
    {
        var customer = await Orgs.GetEntityIfExistsAsync<CustomerEntity>(customerId, CustomerRow, cancellationToken: cancellationToken);
        await Orgs.UpdateAsync<CustomerEntity>(customerId, CustomerRow, current =>
        {
            if (current is not null && current.Version > version)
            {
                return null;
            }

            var next = current ?? new CustomerEntity();
            next.Status = "past_due";
            next.Version = version;
            return next;
        }, cancellationToken);
        if (customer.HasValue && customer.Value!.OrgId is { } orgId)
        {
            await directory.UpdateBillingAsync(orgId, org =>
            {
                if (org.BillingVersion > version)
                {
                    return false;
                }

                org.PlanStatus = "past_due";
                org.BillingVersion = version;
                return true;
            }, cancellationToken);
        }
    }

    private string? PlanFor(string? priceId)
    {
        if (priceId is not null && options.Value.PricePlanMap.TryGetValue(priceId, out var name) && Enum.TryParse<Plan>(name, ignoreCase: true, out var plan))
        {
            return plan.ToString();
        }

        LogUnknownPrice(logger, priceId ?? "(none)");
        return null;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stripe price {PriceId} is not in Comx:Stripe:PricePlans; the plan is left as it was.")]
    private static partial void LogUnknownPrice(ILogger logger, string priceId);

    internal sealed class CustomerEntity : ITableEntity
    {
        public string PartitionKey { get; set; } = "";

        public string RowKey { get; set; } = "";

        public DateTimeOffset? Timestamp { get; set; }

        public ETag ETag { get; set; }

        public string? OrgId { get; set; }

        public string? SubscriptionId { get; set; }

        public string? Plan { get; set; }

        public string? Status { get; set; }

        public long Version { get; set; }
    }
}
