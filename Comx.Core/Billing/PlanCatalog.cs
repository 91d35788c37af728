using Comx.Core.Http;

namespace Comx.Core.Billing;

public enum Plan
{
    Free,
    Trial,
    Pro,
    School,
}

public enum PlanLimit
{
    Sources,
    MessagesPerMonth,

    /// <summary>Pages one crawl of a site source may fetch (its max_pages at most this).</summary>
    SitePages,
}

/// <summary>An organisation's billing state: plan, Stripe subscription status, trial end.</summary>
public sealed record BillingState(Plan Plan, string Status, DateTimeOffset? TrialEndsAt, string? StripeCustomerId, string? StripeSubscriptionId);

/// <summary>
/// What each plan allows. New organisations start a 14-day trial; a cancelled subscription falls back to Free.
/// A subscription that is unpaid, incomplete or paused refuses limited actions (subscription_inactive); past_due
/// keeps working while Stripe retries the payment (the customer is warned through plan_status in /me).
/// </summary>
public static class PlanCatalog
{
    public static readonly TimeSpan TrialLength = TimeSpan.FromDays(14);

    private static readonly HashSet<string> InactiveStatuses = new(StringComparer.Ordinal) { "unpaid", "incomplete", "incomplete_expired", "paused" };

    public static long Limit(Plan plan, PlanLimit limit) => (plan, limit) switch
    {
        (Plan.Free, PlanLimit.SitePages) => 25,
        (Plan.Trial, PlanLimit.SitePages) => 100,
        (Plan.Pro, PlanLimit.SitePages) => 500,
        (Plan.School, PlanLimit.SitePages) => 2_000,
        (Plan.Free, PlanLimit.Sources) => 3,
        (Plan.Free, PlanLimit.MessagesPerMonth) => 200,
        (Plan.Trial, PlanLimit.Sources) => 10,
        (Plan.Trial, PlanLimit.MessagesPerMonth) => 1_000,
        (Plan.Pro, PlanLimit.Sources) => 100,
        (Plan.Pro, PlanLimit.MessagesPerMonth) => 20_000,
        (Plan.School, PlanLimit.Sources) => 500,
        (Plan.School, PlanLimit.MessagesPerMonth) => 100_000,
        _ => 0,
    };

    /// <summary>The one check every limited action goes through: null when allowed, else 403 COMX_FORBIDDEN with details.reason.</summary>
    public static ApiError? Check(BillingState billing, PlanLimit limit, long currentUsage, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(billing);
        if (billing.Plan == Plan.Trial && billing.TrialEndsAt is { } trialEnd && now >= trialEnd)
        {
            return ApiError.Forbidden("The free trial has ended. Choose a plan to continue.", "trial_expired");
        }

        if (InactiveStatuses.Contains(billing.Status))
        {
            return ApiError.Forbidden($"The subscription is {billing.Status}. Update the payment details to continue.", "subscription_inactive");
        }

        var allowed = Limit(billing.Plan, limit);
        if (currentUsage >= allowed)
        {
            var what = limit == PlanLimit.Sources ? "sources" : "chat messages this month";
            return ApiError.Forbidden($"The {billing.Plan.ToString().ToLowerInvariant()} plan allows {allowed} {what}.", "plan_limit", allowed);
        }

        return null;
    }
}
