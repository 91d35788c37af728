using System.Globalization;
using Comx.Core.Http;

namespace Comx.Core.Chat;

/// <summary>What the chat limits decided for one request: the headers every response carries, and the 429 when refused.</summary>
public sealed record ChatLimitOutcome(IReadOnlyDictionary<string, string> Headers, ApiError? Refusal);

/// <summary>
/// The widget chat's rate limits, applied by the chat handlers once they know the organisation (the pipeline cannot:
/// the organisation comes from the widget key or the session). Two fixed windows per minute:
/// <list type="bullet">
/// <item>per IP address and organisation, 20 by default (the published contract); an organisation whose visitors share
/// one public address (a school) may raise it up to 600 with <c>chat_rate_limit_per_ip</c> in its widget settings;</item>
/// <item>per chat session, always <see cref="PerSession"/>, so one pupil cannot use up a raised classroom allowance.</item>
/// </list>
/// A request that names no valid widget or session is limited per address alone at the default. The headers describe
/// the window closest to refusing.
/// </summary>
public sealed class ChatRateLimits(RateLimiter limiter, TimeProvider time)
{
    /// <summary>
    /// Messages a minute from one chat session: the published per-IP default, so a lone visitor meets exactly the
    /// published limit whichever window trips first. It matters once an organisation raises its per-IP limit.
    /// </summary>
    public static readonly RateLimitPolicy PerSession = new("chat-session", 20, TimeSpan.FromMinutes(1));

    /// <summary>Counts a request against the address window (of the organisation when known) and the session's, when given.</summary>
    /// <remarks>
    /// A window this instance already knows to be over its limit refuses at once, without storage and without counting
    /// the other window: a pupil or an address that keeps sending costs nothing here, and the returned task is already
    /// complete, so the caller can stop before its own reads.
    /// </remarks>
    public async Task<ChatLimitOutcome> HitAsync(string clientIp, string? orgId, int perIpLimit, string? sessionId, CancellationToken cancellationToken = default)
    {
        var (ipPolicy, ipKey) = orgId is null
            ? (RateLimitPolicy.PublicChat, clientIp)
            : (RateLimitPolicy.PublicChat with { Limit = perIpLimit }, orgId + ":" + clientIp);
        if (sessionId is not null && limiter.KnownRefusal(PerSession, sessionId) is { } sessionOver)
        {
            return Outcome(sessionOver, "this chat session");
        }

        if (limiter.KnownRefusal(ipPolicy, ipKey) is { } addressOver)
        {
            return Outcome(addressOver, "this address");
        }

        var perIp = limiter.HitAsync(ipPolicy, ipKey, cancellationToken);
        var perSession = sessionId is null ? null : limiter.HitAsync(PerSession, sessionId, cancellationToken);
        var decisions = perSession is null ? [await perIp] : await Task.WhenAll(perIp, perSession);
        var binding = decisions.FirstOrDefault(d => !d.Allowed) ?? decisions.MinBy(d => d.Remaining)!;
        return Outcome(binding, decisions.Length > 1 && !decisions[1].Allowed ? "this chat session" : "this address");
    }

    /// <summary>The headers of the window closest to refusing, and the 429 when it refuses.</summary>
    private ChatLimitOutcome Outcome(RateLimitDecision binding, string which)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["X-RateLimit-Limit"] = binding.Limit.ToString(CultureInfo.InvariantCulture),
            ["X-RateLimit-Remaining"] = binding.Remaining.ToString(CultureInfo.InvariantCulture),
            ["X-RateLimit-Reset"] = binding.Reset.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
        };
        if (binding.Allowed)
        {
            return new ChatLimitOutcome(headers, null);
        }

        var retryAfter = binding.RetryAfterSeconds(time.GetUtcNow());
        headers["Retry-After"] = retryAfter.ToString(CultureInfo.InvariantCulture);
        return new ChatLimitOutcome(headers, new ApiError(ErrorCode.RateLimited,
            $"Rate limit of {binding.Limit} chat requests per minute from {which} reached. Retry in {retryAfter} s.",
            new Dictionary<string, object?> { ["limit"] = binding.Limit, ["retry_after_seconds"] = retryAfter }, Retryable: true));
    }
}
