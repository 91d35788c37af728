using Comx.Core.Http;
using Microsoft.AspNetCore.Http;

namespace Comx.Core.Identity;

/// <summary>Resolves a publishable widget key (<c>comx_pk_…</c>) to its organisation, while that organisation is active.</summary>
public sealed class WidgetAccess(WidgetSettingsStore widgets, OrgDirectory directory)
{
    /// <summary>The active organisation a publishable widget key belongs to, with its widget settings; null otherwise.</summary>
    public async Task<(string OrgId, WidgetSettings Settings)?> ResolveAsync(string widgetKey, CancellationToken cancellationToken)
    {
        if (await widgets.ResolveAsync(widgetKey, cancellationToken) is not { } widget)
        {
            return null;
        }

        var org = await directory.GetRecentAsync(widget.OrgId, cancellationToken);
        return org is { Status: RecordStatus.Active } ? widget : null;
    }
}

/// <summary>Public routes' check that the calling page's origin is one its organisation allows.</summary>
public static class PublicAccess
{
    /// <summary>Null when allowed: no Origin header (not a browser, or same-origin) or an origin on the list.</summary>
    public static ApiError? CheckOrigin(HttpRequest request, WidgetSettings settings)
    {
        ArgumentNullException.ThrowIfNull(request);
        return CheckOrigin(request.Headers.Origin.ToString(), settings);
    }

    /// <summary>Null when allowed: no origin (empty: not a browser, or same-origin) or an origin on the list.</summary>
    public static ApiError? CheckOrigin(string origin, WidgetSettings settings)
    {
        ArgumentNullException.ThrowIfNull(origin);
        ArgumentNullException.ThrowIfNull(settings);
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
