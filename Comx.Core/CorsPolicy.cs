using System.Text.Json;
using Comx.Core.Chat;
using Comx.Core.Http;
using Comx.Core.Identity;
using Comx.Core.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Comx.Core;

/// <summary>
/// CORS for the public (widget) routes, a step of the <see cref="RequestPipeline"/>; at the root because it reads
/// several features (widget settings from Identity, sessions and answers from Chat). An actual request is granted only when its own organisation (named by the widget
/// key or session in its body, or the session or answer in its path, or <c>?widget_key=</c>) lists the origin, so org B's
/// page can never read org A's answers. A browser's preflight carries none of these, so it is granted when some
/// organisation allows the origin; it reveals nothing, and the request that follows is checked as above.
/// </summary>
public sealed partial class CorsPolicy(WidgetSettingsStore widgets, ChatSessionStore sessions, AnswerStore answers, ILogger<CorsPolicy> logger)
{
    public const string AllowedHeaders = "Content-Type, X-Session-Token, Idempotency-Key";
    public const string ExposedHeaders = "X-Request-Id, X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset, Retry-After, Idempotent-Replayed";

    /// <summary>Adds <c>Access-Control-Allow-Origin</c> to a public route's response when the request's organisation allows its origin.</summary>
    public async Task AddGrantAsync(HttpRequest request, IReadOnlyDictionary<string, string> routeValues, RequestContext? context, ComxResponse response,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(routeValues);
        ArgumentNullException.ThrowIfNull(response);
        response.SetHeader("Vary", "Origin");
        if (WidgetOrigins.Normalise(request.Headers.Origin.ToString()) is not { } origin)
        {
            return;
        }

        IReadOnlyList<string> allowed;
        try
        {
            allowed = await AllowedOriginsAsync(request, routeValues, context, cancellationToken);
        }
        catch (Exception exception) when (ProviderFailure.IsUnavailable(exception))
        {
            // The response already says what went wrong; without the organisation there is no grant to give.
            LogNoGrant(logger, exception);
            return;
        }

        if (allowed.Contains(origin, StringComparer.Ordinal))
        {
            response.SetHeader("Access-Control-Allow-Origin", request.Headers.Origin.ToString());
            response.SetHeader("Access-Control-Expose-Headers", ExposedHeaders);
        }
    }

    private async Task<IReadOnlyList<string>> AllowedOriginsAsync(HttpRequest request, IReadOnlyDictionary<string, string> routeValues, RequestContext? context,
        CancellationToken cancellationToken)
    {
        var named = context?.Body is IPublicScoped scoped ? scoped.IdempotencyScope
            : NamedInBody(context) ?? (routeValues.TryGetValue("sessionId", out var pathSession) ? pathSession : null)
            ?? (request.Query.TryGetValue("widget_key", out var queryKey) ? queryKey.ToString() : null);
        // When the handler already opened the request's session, its organisation is the one named: not read again.
        var orgId = context?.PublicOrgId;
        if (orgId is not null)
        {
            return await widgets.GetRecentAsync(orgId, cancellationToken) is { } known ? known.AllowedOrigins : [];
        }

        if (named is { Length: > 0 } && StorageKeys.IsSafeKey(named))
        {
            if (named.StartsWith(WidgetSettingsStore.KeyPrefix, StringComparison.Ordinal))
            {
                return await widgets.ResolveAsync(named, cancellationToken) is { } widget ? widget.Settings.AllowedOrigins : [];
            }

            orgId = (await sessions.GetAsync(named, cancellationToken))?.OrgId;
        }
        else if (routeValues.TryGetValue("answerId", out var answerId) && StorageKeys.IsSafeKey(answerId))
        {
            orgId = (await answers.GetAsync(answerId, cancellationToken))?.OrgId;
        }

        // The same cached read (ReadCache, this instance's writes seen at once) the handler's own origin check made.
        return orgId is not null && await widgets.GetRecentAsync(orgId, cancellationToken) is { } settings ? settings.AllowedOrigins : [];
    }

    /// <summary>The widget key or session id in a JSON body that did not get as far as parsing (an early refusal).</summary>
    private static string? NamedInBody(RequestContext? context)
    {
        if (context is null || context.RawBody.IsEmpty)
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(context.RawBody);
            var root = document.RootElement;
            foreach (var name in (string[])["widget_key", "session_id"])
            {
                if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String)
                {
                    return value.GetString();
                }
            }
        }
        catch (JsonException)
        {
        }

        return null;
    }

    private async Task<bool> IsAllowedAnywhereAsync(HttpRequest request, CancellationToken cancellationToken) =>
        request.Headers.Origin.ToString() is { Length: > 0 } origin && await widgets.IsAllowedAnywhereAsync(origin, cancellationToken);

    [LoggerMessage(Level = LogLevel.Warning, Message = "CORS grant skipped: the request's organisation could not be read")]
    private static partial void LogNoGrant(ILogger logger, Exception exception);

    public async Task<ComxResponse> PreflightAsync(HttpRequest request, RouteDefinition route, IReadOnlyList<string> allowedMethods, string requestId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(route);
        ArgumentNullException.ThrowIfNull(allowedMethods);
        var response = new ComxResponse(204, [], null);
        response.SetHeader("Allow", string.Join(", ", allowedMethods.Append("OPTIONS")));
        response.SetHeader("Vary", "Origin, Access-Control-Request-Method, Access-Control-Request-Headers");
        if (route.Auth != RouteAuth.Public)
        {
            return response;
        }

        if (await IsAllowedAnywhereAsync(request, cancellationToken))
        {
            response.SetHeader("Access-Control-Allow-Origin", request.Headers.Origin.ToString());
            response.SetHeader("Access-Control-Allow-Methods", string.Join(", ", allowedMethods));
            response.SetHeader("Access-Control-Allow-Headers", AllowedHeaders);
            response.SetHeader("Access-Control-Max-Age", "600");
        }

        return response;
    }
}
