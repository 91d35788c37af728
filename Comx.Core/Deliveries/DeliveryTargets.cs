using System.Globalization;
using Comx.Core.Network;
using Microsoft.Extensions.Options;

namespace Comx.Core.Deliveries;

/// <summary>What one attempt came to: sent (or not), or not made at all because the target is gone (<see cref="SkipReason"/>).</summary>
public sealed record AttemptResult(bool Succeeded, int? StatusCode, long LatencyMs, string? Error, string? Response = null, bool ResponseTruncated = false,
    bool Gone = false, string? SkipReason = null)
{
    public static AttemptResult Skip(string reason) => new(false, null, 0, null, SkipReason: reason);
}

/// <summary>
/// One kind of delivery target behind the delivery worker: a subscription (signed webhook), an approved action's
/// target URL, an e-mail recipient. The worker owns claiming, logging and retrying attempts; a target only sends
/// and hears about outcomes, and keeps its own storage to itself.
/// </summary>
public interface IDeliveryTarget
{
    DeliveryKind Kind { get; }

    /// <summary>Makes one attempt of a claimed delivery.</summary>
    Task<AttemptResult> SendAsync(Delivery delivery, CancellationToken cancellationToken);

    /// <summary>
    /// Hears how an attempt was recorded (<paramref name="attempt"/> null: the delivery was found finished by a repeated
    /// message, so a step the target takes at the end can be finished after a crash).
    /// </summary>
    Task OnRecordedAsync(Delivery delivery, AttemptResult? attempt, CancellationToken cancellationToken);
}

/// <summary>Sends a signed POST of a delivery's body (the subscription and action targets share it).</summary>
public sealed class SignedPostSender(GuardedHttpClient http, TimeProvider time, IOptions<DeliveryOptions> options)
{
    public async Task<AttemptResult> SendAsync(Delivery delivery, string url, string secret, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        var body = delivery.Body.ToArray();
        var headers = new Dictionary<string, string>
        {
            [WebhookSignature.SignatureHeader] = WebhookSignature.Sign(secret, body),
            [WebhookSignature.EventHeader] = delivery.EventType,
            [WebhookSignature.DeliveryHeader] = delivery.DeliveryId,
            [WebhookSignature.TimestampHeader] = time.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
        };
        SendResult result = !Uri.TryCreate(url, UriKind.Absolute, out var target)
            ? SendResult.Fail(new NetworkFailure(NetworkFailureKind.InvalidUrl, "The target is not an absolute URL."), TimeSpan.Zero)
            : await http.SendAsync(new OutboundRequest(target) { Body = body, Headers = headers, Timeout = options.Value.RequestTimeout }, cancellationToken);
        var status = result.Response?.StatusCode;
        var succeeded = result.Responded && result.Response.IsSuccessStatusCode;
        var error = succeeded ? null
            : result.Responded ? $"The endpoint answered {status}{(status is >= 300 and < 400 ? " (redirects are not followed)" : "")}."
            : result.Failure.Message;
        var response = result.Response?.Body;
        var truncated = result.Response?.BodyTruncated ?? false;
        if (response is { Length: > DeliveryStore.MaxStoredResponseChars })
        {
            (response, truncated) = (response[..DeliveryStore.MaxStoredResponseChars], true);
        }

        return new AttemptResult(succeeded, status, (long)result.Latency.TotalMilliseconds, error, response, truncated, Gone: status == 410);
    }
}

/// <summary>Subscription deliveries: signed with the subscription's secret; outcomes count towards pausing a failing subscription.</summary>
public sealed class HookTarget(WebhookStore hooks, SignedPostSender sender) : IDeliveryTarget
{
    public DeliveryKind Kind => DeliveryKind.Hook;

    public async Task<AttemptResult> SendAsync(Delivery delivery, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        var hook = await hooks.GetAsync(delivery.OrgId, delivery.TargetId, cancellationToken);
        if (hook is null || hook.Status == HookStatus.Paused)
        {
            return AttemptResult.Skip(hook is null ? SkipReasons.Deleted : SkipReasons.Paused);
        }

        return await sender.SendAsync(delivery, hook.Url, hook.SigningSecret, cancellationToken);
    }

    public async Task OnRecordedAsync(Delivery delivery, AttemptResult? attempt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        if (attempt is { SkipReason: null })
        {
            await hooks.RecordOutcomeAsync(delivery.OrgId, delivery.TargetId, attempt.Succeeded, attempt.Gone, cancellationToken);
        }
    }
}
