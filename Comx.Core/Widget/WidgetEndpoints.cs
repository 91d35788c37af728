using System.Security.Cryptography;
using Comx.Core.Http;
using Comx.Core.Identity;

namespace Comx.Core.Widget;

/// <summary>
/// What the widget shows before a session exists: the greeting, the theme, which features are on, and whether staff
/// are at work now (<c>away_message</c>, when they are not, says when they are back and offers the enquiry form).
/// </summary>
public sealed record WidgetConfigResponse(string Greeting, WidgetTheme? Theme, bool HandoffEnabled, bool EnquiriesEnabled, bool StaffAvailable, string? AwayMessage);

/// <summary>The embeddable widget script, as shipped in this assembly, with its strong validator.</summary>
public sealed class WidgetScript
{
    public const string ContentType = "text/javascript; charset=utf-8";
    public const string CacheControl = "public, max-age=300";
    private const string ResourceName = "Comx.Core.Widget.comx-widget.js";

    private static readonly Lazy<WidgetScript> Embedded = new(Load);

    private WidgetScript(byte[] content)
    {
        Content = content;
        ETag = $"\"{Convert.ToHexStringLower(SHA256.HashData(content))[..32]}\"";
    }

    public static WidgetScript Current => Embedded.Value;

    public byte[] Content { get; }

    /// <summary>A strong entity tag from the content hash, so every instance and both hosts agree on it.</summary>
    public string ETag { get; }

    private static WidgetScript Load()
    {
        using var stream = typeof(WidgetScript).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"The embedded resource {ResourceName} is missing from Comx.Core.");
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return new WidgetScript(buffer.ToArray());
    }
}

/// <summary>
/// The dyslexia-friendly font the widget offers (Atkinson Hyperlegible, SIL Open Font License 1.1, licence in
/// widget/fonts), shipped in this assembly so it loads from the widget's own origin with no third-party request.
/// </summary>
public static class WidgetFonts
{
    public const string ContentType = "font/woff2";

    // The file names carry no version, so they are cached for a day (and revalidated by ETag), not forever.
    public const string CacheControl = "public, max-age=86400";

    private static readonly Lazy<IReadOnlyDictionary<string, (byte[] Content, string ETag)>> Embedded = new(Load);

    public static IReadOnlyDictionary<string, (byte[] Content, string ETag)> Files => Embedded.Value;

    private static Dictionary<string, (byte[] Content, string ETag)> Load()
    {
        const string Prefix = "Comx.Core.Widget.fonts.";
        var files = new Dictionary<string, (byte[], string)>(StringComparer.Ordinal);
        var assembly = typeof(WidgetFonts).Assembly;
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(Prefix, StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            var content = buffer.ToArray();
            files[name[Prefix.Length..]] = (content, $"\"{Convert.ToHexStringLower(SHA256.HashData(content))[..32]}\"");
        }

        return files;
    }
}

/// <summary>What the widget handlers need, given to them explicitly.</summary>
public sealed record WidgetServices(WidgetAccess Access, TimeProvider Time);

/// <summary><c>GET /public/v1/widget.js</c> (the script) and <c>GET /public/v1/widget-config</c> (its display settings).</summary>
internal static class WidgetEndpoints
{
    public static IEnumerable<RouteDefinition> Routes =>
    [
        // No rate limit: the script is static, cacheable and mostly answered 304.
        new(RouteNames.GetWidgetScript, "GET", Http.Routes.WidgetScript, RouteAuth.Public, ScriptAsync)
        { Summary = "The embeddable widget script (text/javascript; cached 5 minutes, strong ETag, 304 on If-None-Match)." },
        new(RouteNames.GetWidgetFont, "GET", Http.Routes.WidgetFont, RouteAuth.Public, FontAsync)
        { Summary = "A font file the widget uses for its dyslexia-friendly setting (font/woff2; cached a day, strong ETag, 304 on If-None-Match)." },
        new(RouteNames.GetWidgetConfig, "GET", Http.Routes.WidgetConfig, RouteAuth.Public, EndpointServices.With<WidgetServices>(ConfigAsync))
        {
            ResponseType = typeof(WidgetConfigResponse), RateLimit = RateLimitPolicy.PublicReads, QueryParameters = ["widget_key"],
            Summary = "The widget's display settings (greeting, theme, handoff and enquiries switches, staff availability and away message), by publishable widget key. 120 requests/min per IP.",
        },
    ];

    private static Task<ApiResult> ScriptAsync(RequestContext context, CancellationToken cancellationToken)
    {
        var script = WidgetScript.Current;
        var headers = new Dictionary<string, string> { ["Cache-Control"] = WidgetScript.CacheControl, ["ETag"] = script.ETag };
        var result = IfNoneMatch(context.Request.Headers.IfNoneMatch.ToString(), script.ETag)
            ? ApiResult.Raw(304, [], WidgetScript.ContentType, headers)
            : ApiResult.Raw(200, script.Content, WidgetScript.ContentType, headers);
        return Task.FromResult(result);
    }

    private static Task<ApiResult> FontAsync(RequestContext context, CancellationToken cancellationToken)
    {
        if (!WidgetFonts.Files.TryGetValue(context.Value("fontFile"), out var font))
        {
            return Task.FromResult<ApiResult>(ApiError.NotFound("font"));
        }

        // Pages on an allowed origin load the font cross-origin; the pipeline's CORS grant for public routes covers it.
        var headers = new Dictionary<string, string> { ["Cache-Control"] = WidgetFonts.CacheControl, ["ETag"] = font.ETag };
        return Task.FromResult(IfNoneMatch(context.Request.Headers.IfNoneMatch.ToString(), font.ETag)
            ? ApiResult.Raw(304, [], WidgetFonts.ContentType, headers)
            : ApiResult.Raw(200, font.Content, WidgetFonts.ContentType, headers));
    }

    private static async Task<ApiResult> ConfigAsync(WidgetServices services, RequestContext context, CancellationToken cancellationToken)
    {
        var key = context.Query("widget_key");
        if (string.IsNullOrWhiteSpace(key) || key.Length > 100)
        {
            return ApiError.Validation("widget_key", "widget_key is the widget's publishable key (comx_pk_…).");
        }

        if (await services.Access.ResolveAsync(key, cancellationToken) is not { } widget)
        {
            return ApiError.NotFound("widget (check widget_key)");
        }

        if (PublicAccess.CheckOrigin(context.Request, widget.Settings) is { } refused)
        {
            return refused;
        }

        var settings = widget.Settings;
        var away = AwayMessages.Compose(settings.BusinessHours, settings.AwayMessage, services.Time.GetUtcNow());
        return ApiResult.Ok(new WidgetConfigResponse(settings.Greeting, settings.Theme, settings.HandoffEnabled, settings.EnquiriesEnabled, away is null, away));
    }

    /// <summary>RFC 9110: If-None-Match uses the weak comparison, and <c>*</c> matches any current representation.</summary>
    internal static bool IfNoneMatch(string header, string etag)
    {
        if (header.Length == 0)
        {
            return false;
        }

        var opaque = etag.Trim('"');
        foreach (var candidate in header.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var tag = candidate.StartsWith("W/", StringComparison.Ordinal) ? candidate[2..] : candidate;
            if (tag == "*" || tag.Trim('"') == opaque)
            {
                return true;
            }
        }

        return false;
    }
}
