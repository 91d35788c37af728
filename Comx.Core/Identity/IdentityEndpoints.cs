using Comx.Core.Http;
using Comx.Core.Storage;
using Microsoft.Extensions.Options;

namespace Comx.Core.Identity;

public sealed record CallerResponse(string Type, string Id, string Role);

/// <summary><c>notifications.email</c> says whether e-mail notifications can be sent (<c>configured</c>) or are only recorded (<c>not_configured</c>).</summary>
public sealed record MeResponse(string OrgId, string OrgName, string Plan, string PlanStatus, DateTimeOffset? TrialEndsAt, CallerResponse Caller,
    Notifications.NotificationsStatus Notifications);

public sealed record CreateApiKeyRequest(string Name) : IValidatable
{
    public IEnumerable<FieldError> Validate()
    {
        if (string.IsNullOrWhiteSpace(Name) || Name.Length > 100)
        {
            yield return new FieldError("name", "name is 1 to 100 characters.");
        }
    }
}

public sealed record ApiKeyResponse(string KeyId, string Name, string Prefix, DateTimeOffset CreatedAt, string CreatedBy, DateTimeOffset? LastRotatedAt, DateTimeOffset? RevokedAt, string Status)
{
    public static ApiKeyResponse From(ApiKeyInfo info) =>
        new(info.KeyId, info.Name, info.Prefix, info.CreatedAt, info.CreatedBy, info.LastRotatedAt, info.RevokedAt, info.RevokedAt is null ? "active" : "revoked");
}

/// <summary>The only response that carries the secret: on create and rotate.</summary>
public sealed record IssuedApiKeyResponse(string KeyId, string Name, string Key, DateTimeOffset CreatedAt);

public sealed record WidgetResponse(string WidgetKey, IReadOnlyList<string> AllowedOrigins, string Greeting, WidgetTheme? Theme, bool HandoffEnabled, bool EnquiriesEnabled, DateTimeOffset UpdatedAt,
    BusinessHours? BusinessHours, string? AwayMessage, int ChatRateLimitPerIp)
{
    public static WidgetResponse From(WidgetSettings s) => new(s.WidgetKey, s.AllowedOrigins, s.Greeting, s.Theme, s.HandoffEnabled, s.EnquiriesEnabled, s.UpdatedAt,
        s.BusinessHours, s.AwayMessage, s.ChatRateLimitPerIp);
}

/// <summary>What the identity, widget-settings and API-key handlers need, given to them explicitly.</summary>
public sealed record IdentityServices(OrgDirectory Directory, WidgetSettingsStore Widgets, ApiKeyStore Keys, IOptions<Notifications.SmtpOptions> Smtp);

/// <summary><c>/org/v1/me</c>, <c>/org/v1/widget</c> and <c>/org/v1/api-keys</c>.</summary>
internal static class IdentityEndpoints
{
    public static IEnumerable<RouteDefinition> Routes =>
    [
        new(RouteNames.GetMe, "GET", Http.Routes.Me, RouteAuth.Org, EndpointServices.With<IdentityServices>(MeAsync))
        { ResponseType = typeof(MeResponse), Summary = "The calling organisation, its plan, who is calling, and whether e-mail notifications can be sent (notifications.email: configured or not_configured)." },
        new(RouteNames.GetWidget, "GET", Http.Routes.Widget, RouteAuth.Org, EndpointServices.With<IdentityServices>(GetWidgetAsync))
        { ResponseType = typeof(WidgetResponse), Summary = "The widget's publishable key and settings (created with defaults on first use)." },
        new(RouteNames.PutWidget, "PUT", Http.Routes.Widget, RouteAuth.OrgAdmin, EndpointServices.With<IdentityServices>(PutWidgetAsync))
        { RequestType = typeof(WidgetSettingsRequest), ResponseType = typeof(WidgetResponse), Summary = "Sets allowed origins, greeting, theme, the handoff switch, business hours (IANA time zone, HH:mm ranges per weekday), the away message and chat_rate_limit_per_ip (20 to 600 chat requests per minute per IP, for schools behind one address)." },
        new(RouteNames.ListApiKeys, "GET", Http.Routes.ApiKeys, RouteAuth.OrgAdminSession, EndpointServices.With<IdentityServices>(ListKeysAsync))
        { ResponseType = typeof(ListResponse<ApiKeyResponse>), Summary = "API keys' metadata (never the secrets)." },
        new(RouteNames.CreateApiKey, "POST", Http.Routes.ApiKeys, RouteAuth.OrgAdminSession, EndpointServices.With<IdentityServices>(CreateKeyAsync))
        { RequestType = typeof(CreateApiKeyRequest), ResponseType = typeof(IssuedApiKeyResponse), SuccessStatus = 201, Summary = "Creates an API key; the key is shown only in this response." },
        new(RouteNames.RevokeApiKey, "DELETE", Http.Routes.ApiKey, RouteAuth.OrgAdminSession, EndpointServices.With<IdentityServices>(RevokeKeyAsync))
        { ResponseType = typeof(ApiKeyResponse), Summary = "Revokes an API key at once." },
        new(RouteNames.RotateApiKey, "POST", Http.Routes.ApiKeyRotate, RouteAuth.OrgAdminSession, EndpointServices.With<IdentityServices>(RotateKeyAsync))
        { ResponseType = typeof(IssuedApiKeyResponse), SuccessStatus = 201, Summary = "Issues a new secret for the key; the old one stops working at once." },
    ];

    private static async Task<ApiResult> MeAsync(IdentityServices services, RequestContext context, CancellationToken cancellationToken)
    {
        var caller = context.Org;
        var org = await services.Directory.GetOrgAsync(caller.OrgId, cancellationToken);
        if (org is null)
        {
            return ApiError.NotFound("organisation");
        }

        return ApiResult.Ok(new MeResponse(org.OrgId, org.Name, org.Billing.Plan.ToString().ToLowerInvariant(), org.Billing.Status, org.Billing.TrialEndsAt,
            new CallerResponse(caller.Type == CallerType.User ? "user" : "api_key", caller.Id, caller.Role),
            new Notifications.NotificationsStatus(Notifications.EmailStatus.Of(services.Smtp.Value))));
    }

    private static async Task<ApiResult> GetWidgetAsync(IdentityServices services, RequestContext context, CancellationToken cancellationToken) =>
        ApiResult.Ok(WidgetResponse.From(await services.Widgets.GetOrCreateAsync(context.Org.OrgId, cancellationToken)));

    private static async Task<ApiResult> PutWidgetAsync(IdentityServices services, RequestContext context, CancellationToken cancellationToken) =>
        ApiResult.Ok(WidgetResponse.From(await services.Widgets.UpdateAsync(context.Org.OrgId, context.BodyAs<WidgetSettingsRequest>(), cancellationToken)));

    private static async Task<ApiResult> ListKeysAsync(IdentityServices services, RequestContext context, CancellationToken cancellationToken)
    {
        var keys = await services.Keys.ListAsync(context.Org.OrgId, cancellationToken);
        return ApiResult.Ok(new ListResponse<ApiKeyResponse>([.. keys.Select(ApiKeyResponse.From)], null));
    }

    private static async Task<ApiResult> CreateKeyAsync(IdentityServices services, RequestContext context, CancellationToken cancellationToken)
    {
        var issued = await services.Keys.CreateAsync(context.Org.OrgId, context.BodyAs<CreateApiKeyRequest>().Name.Trim(), context.Org.Stamp, cancellationToken);
        return ApiResult.Created(new IssuedApiKeyResponse(issued.Info.KeyId, issued.Info.Name, issued.Secret, issued.Info.CreatedAt));
    }

    private static async Task<ApiResult> RevokeKeyAsync(IdentityServices services, RequestContext context, CancellationToken cancellationToken)
    {
        var store = services.Keys;
        var keyId = context.Value("keyId");
        var revoked = await store.RevokeAsync(context.Org.OrgId, keyId, cancellationToken)
            ?? await store.GetAsync(context.Org.OrgId, keyId, cancellationToken);
        return revoked is null ? ApiError.NotFound("API key") : ApiResult.Ok(ApiKeyResponse.From(revoked));
    }

    private static async Task<ApiResult> RotateKeyAsync(IdentityServices services, RequestContext context, CancellationToken cancellationToken)
    {
        var issued = await services.Keys.RotateAsync(context.Org.OrgId, context.Value("keyId"), cancellationToken);
        return issued is null
            ? ApiError.NotFound("active API key")
            : ApiResult.Created(new IssuedApiKeyResponse(issued.Info.KeyId, issued.Info.Name, issued.Secret, issued.Info.LastRotatedAt ?? issued.Info.CreatedAt));
    }
}
