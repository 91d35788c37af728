using Comx.Core.Http;

namespace Comx.Core.Identity;

/// <summary>The answer to an inbound webhook (Clerk, Stripe): received, and whether it was a duplicate or an ignored type.</summary>
public sealed record WebhookReceipt(bool Received, bool Duplicate, bool Ignored);

/// <summary>
/// The HTTP side of <see cref="InboundEventLog"/> for the two inbound webhook endpoints: the log says what claiming found
/// (<see cref="InboundClaim"/>), this maps it and the outcome of applying the event to the response.
/// </summary>
public static class InboundWebhooks
{
    /// <summary>
    /// The one way an inbound event is handled: claim it, apply it, then mark it applied; a refusal or an exception gives
    /// the claim back. A copy of an applied event is 200 <c>duplicate: true</c>; a copy that arrives while another is
    /// being applied is 409, retryable (never "duplicate", since that one may yet fail).
    /// </summary>
    public static async Task<ApiResult> ApplyOnceAsync(this InboundEventLog log, string source, string eventId, string type, bool handled, Func<CancellationToken, Task<ApiError?>> apply,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(log);
        ArgumentNullException.ThrowIfNull(apply);
        switch (await log.ClaimAsync(source, eventId, type, cancellationToken))
        {
            case InboundClaim.Applied:
                return ApiResult.Ok(new WebhookReceipt(true, true, false));
            case InboundClaim.InFlight:
                return ApiError.Conflict("This event is being applied by another delivery of it. Retry shortly.", retryable: true);
        }

        ApiError? refused;
        try
        {
            refused = await apply(cancellationToken);
        }
        catch
        {
            await log.ReleaseQuietlyAsync(source, eventId);
            throw;
        }

        if (refused is not null)
        {
            await log.ReleaseAsync(source, eventId, CancellationToken.None);
            return refused;
        }

        await log.CompleteAsync(source, eventId, CancellationToken.None);
        return ApiResult.Ok(new WebhookReceipt(true, false, !handled));
    }
}
