using Comx.Core.Http;

namespace Comx.Core.Identity;

public sealed record WidgetTheme(string? PrimaryColor = null, string? Position = null, string? Title = null);

/// <summary>The body of <c>PUT /org/v1/widget</c>.</summary>
/// <remarks>
/// <c>business_hours</c> and <c>away_message</c> follow PUT semantics: leaving them out clears them (staff are then
/// always shown as available). <c>enquiries_enabled</c>, older, keeps its stored value when left out.
/// <c>chat_rate_limit_per_ip</c> (chat requests per minute from one IP address, 20 by default, up to 600) lets a school
/// whose pupils share one public address raise the per-IP chat limit; left out, the current value is kept.
/// </remarks>
public sealed record WidgetSettingsRequest(IReadOnlyList<string> AllowedOrigins, string Greeting, bool HandoffEnabled, WidgetTheme? Theme = null, bool? EnquiriesEnabled = null,
    BusinessHours? BusinessHours = null, string? AwayMessage = null, int? ChatRateLimitPerIp = null) : IValidatable
{
    public const int MaxOrigins = 20;
    public const int MaxAwayMessage = 500;

    /// <summary>The published per-IP chat limit (design.md), and the floor of the configurable one.</summary>
    public const int DefaultChatRateLimitPerIp = 20;

    /// <summary>The most an organisation may allow from one address: a large school behind one NAT.</summary>
    public const int MaxChatRateLimitPerIp = 600;

    public IEnumerable<FieldError> Validate()
    {
        if (AllowedOrigins.Count > MaxOrigins)
        {
            yield return new FieldError("allowed_origins", $"At most {MaxOrigins} origins.");
        }

        for (var i = 0; i < AllowedOrigins.Count; i++)
        {
            if (WidgetOrigins.Normalise(AllowedOrigins[i]) is null)
            {
                yield return new FieldError($"allowed_origins[{i}]", "An origin is scheme://host[:port], http or https, with no path (for example https://www.example.org).");
            }
        }

        if (string.IsNullOrWhiteSpace(Greeting) || Greeting.Length > 500)
        {
            yield return new FieldError("greeting", "greeting is 1 to 500 characters.");
        }

        if (Theme?.PrimaryColor is { } color && !System.Text.RegularExpressions.Regex.IsMatch(color, "^#[0-9a-fA-F]{6}$"))
        {
            yield return new FieldError("theme.primary_color", "primary_color is a #RRGGBB colour.");
        }

        if (Theme?.Position is { } position && position is not ("left" or "right"))
        {
            yield return new FieldError("theme.position", "position is left or right.");
        }

        if (Theme?.Title is { Length: > 60 })
        {
            yield return new FieldError("theme.title", "title is at most 60 characters.");
        }

        if (AwayMessage is { } away && (string.IsNullOrWhiteSpace(away) || away.Length > MaxAwayMessage))
        {
            yield return new FieldError("away_message", $"away_message is 1 to {MaxAwayMessage} characters (leave it out for the default).");
        }

        foreach (var error in BusinessHours?.Validate() ?? [])
        {
            yield return error;
        }

        if (ChatRateLimitPerIp is < DefaultChatRateLimitPerIp or > MaxChatRateLimitPerIp)
        {
            yield return new FieldError("chat_rate_limit_per_ip",
                $"chat_rate_limit_per_ip is chat requests per minute from one IP address, {DefaultChatRateLimitPerIp} to {MaxChatRateLimitPerIp}.");
        }
    }
}

/// <summary>An organisation's widget: its publishable key and settings.</summary>
public sealed record WidgetSettings(string WidgetKey, IReadOnlyList<string> AllowedOrigins, string Greeting, WidgetTheme? Theme,
    bool HandoffEnabled, bool EnquiriesEnabled, DateTimeOffset UpdatedAt, BusinessHours? BusinessHours = null, string? AwayMessage = null,
    int ChatRateLimitPerIp = WidgetSettingsRequest.DefaultChatRateLimitPerIp);

public static class WidgetOrigins
{
    /// <summary>The canonical form of an origin (lowercase scheme and host, default port dropped), or null when it is not one.</summary>
    public static string? Normalise(string? origin)
    {
        if (string.IsNullOrWhiteSpace(origin) || origin.Trim() != origin || !Uri.TryCreate(origin, UriKind.Absolute, out var uri)
            || uri.Scheme is not ("http" or "https") || uri.UserInfo.Length > 0
            || uri.AbsolutePath != "/" || uri.Query.Length > 0 || uri.Fragment.Length > 0)
        {
            return null;
        }

        return uri.IsDefaultPort ? $"{uri.Scheme}://{uri.IdnHost}" : $"{uri.Scheme}://{uri.IdnHost}:{uri.Port}";
    }
}
