using Comx.Core.Http;
using RequestContext = Comx.Core.Http.RequestContext;

namespace Comx.Core.Safeguarding;

/// <summary>What the safeguarding-policy handlers need, given to them explicitly.</summary>
public sealed record SafeguardingServices(SafeguardingPolicyStore Policies);

/// <summary><c>GET/PUT /org/v1/safeguarding</c> (PUT: org:admin).</summary>
internal static class SafeguardingEndpoints
{
    public static IEnumerable<RouteDefinition> Routes =>
    [
        new(RouteNames.GetSafeguarding, "GET", Http.Routes.Safeguarding, RouteAuth.Org, EndpointServices.With<SafeguardingServices>(GetAsync))
        { ResponseType = typeof(SafeguardingPolicy), Summary = "The safeguarding policy (the defaults until one is saved)." },
        new(RouteNames.PutSafeguarding, "PUT", Http.Routes.Safeguarding, RouteAuth.OrgAdmin, EndpointServices.With<SafeguardingServices>(PutAsync))
        { RequestType = typeof(SafeguardingPolicy), ResponseType = typeof(SafeguardingPolicy), Summary = "Replaces the safeguarding policy." },
    ];

    private static async Task<ApiResult> GetAsync(SafeguardingServices services, RequestContext context, CancellationToken cancellationToken) =>
        ApiResult.Ok(await services.Policies.GetAsync(context.Org.OrgId, cancellationToken));

    private static async Task<ApiResult> PutAsync(SafeguardingServices services, RequestContext context, CancellationToken cancellationToken) =>
        ApiResult.Ok(await services.Policies.SaveAsync(context.Org.OrgId, context.BodyAs<SafeguardingPolicy>(), context.Org.Stamp, cancellationToken));
}
