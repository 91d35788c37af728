using Comx.Core.Http;
using Microsoft.AspNetCore.Http;

namespace Comx.Core.Identity;

/// <summary>
/// CORS for the public (widget) routes. A browser's preflight carries no widget key, so it is granted when some
/// organisation allows the origin; every actual request is then checked against its own organisation's list by
/// <see cref="PublicAccess"/> and refused with 403 when the origin is not on it. An origin no organisation allows
/// gets no grant at all.
/// </summary>
public sealed class CorsPolicy(WidgetSettingsStore widgets)
{
    public const string AllowedHeaders = "Content-Type, X-Session-Token, Idempotency-Key";
    public const string ExposedHeaders = "X-Request-Id, X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset, Retry-After, Idempotent-Replayed";

    public async Task AddGrantAsync(HttpRequest request, List<KeyValuePair<string, string>> headers, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(headers);
        headers.Add(new("Vary", "Origin"));
        if (request.Headers.Origin.ToString() is { Length: > 0 } origin && await widgets.IsAllowedAnywhereAsync(origin, cancellationToken))
        {
            headers.Add(new("Access-Control-Allow-Origin", origin));
            headers.Add(new("Access-Control-Expose-Headers", ExposedHeaders));
        }
    }

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

        var grant = new List<KeyValuePair<string, string>>();
        await AddGrantAsync(request, grant, cancellationToken);
        if (grant.Any(h => h.Key == "Access-Control-Allow-Origin"))
        {
            response.SetHeader("Access-Control-Allow-Origin", request.Headers.Origin.ToString());
            response.SetHeader("Access-Control-Allow-Methods", string.Join(", ", allowedMethods));
            response.SetHeader("Access-Control-Allow-Headers", AllowedHeaders);
            response.SetHeader("Access-Control-Max-Age", "600");
        }

        return response;
    }
}

/// <summary>Public routes' check that the calling page's origin is one its organisation allows.</summary>
public static class PublicAccess
{
    /// <summary>The active organisation a publishable widget key belongs to, with its widget settings; null otherwise.</summary>
    public static async Task<(string OrgId, WidgetSettings Settings)?> ResolveWidgetAsync(RequestContext context, string widgetKey, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (await context.Service<WidgetSettingsStore>().ResolveAsync(widgetKey, cancellationToken) is not { } widget)
        {
            return null;
        }

        var org = await context.Service<OrgDirectory>().GetRecentAsync(widget.OrgId, cancellationToken);
        return org is { Status: RecordStatus.Active } ? widget : null;
    }

    /// <summary>Null when allowed: no Origin header (not a browser, or same-origin) or an origin on the list.</summary>
    public static ApiError? CheckOrigin(HttpRequest request, WidgetSettings settings)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(settings);
        var origin = request.Headers.Origin.ToString();
        if (origin.Length == 0)
        {
            return null;
        }

        var normalised = WidgetOrigins.Normalise(origin);
        return normalised is not null && settings.AllowedOrigins.Contains(normalised, StringComparer.Ordinal)
            ? null
            : ApiError.Forbidden("This site is not allowed to use this widget. Add its origin to the widget's allowed origins.");
    }
}
