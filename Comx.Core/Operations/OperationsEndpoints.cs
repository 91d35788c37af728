using Comx.Core.Http;
using Comx.Core.Storage;

namespace Comx.Core.Operations;

public sealed record HealthResponse(string Status, string Storage, DateTimeOffset Time);

/// <summary>What the operations handlers need, given to them explicitly.</summary>
public sealed record OperationsServices(ComxStorage Storage, OpenApiDocument OpenApi, TimeProvider Time);

/// <summary><c>GET /api/health</c> and <c>GET /api/openapi.json</c>.</summary>
internal static class OperationsEndpoints
{
    public static IEnumerable<RouteDefinition> Routes =>
    [
        new(RouteNames.Health, "GET", Http.Routes.Health, RouteAuth.Operations, EndpointServices.With<OperationsServices>(HealthAsync))
        {
            ResponseType = typeof(HealthResponse),
            Summary = "Liveness and storage reachability (503 when storage is unreachable).",
        },
        new(RouteNames.OpenApi, "GET", Http.Routes.OpenApi, RouteAuth.Operations, EndpointServices.With<OperationsServices>(OpenApiAsync))
        {
            Summary = "This OpenAPI 3.1 document, generated from the route table.",
        },
    ];

    private static async Task<ApiResult> HealthAsync(OperationsServices services, RequestContext context, CancellationToken cancellationToken)
    {
        var reachable = await services.Storage.PingAsync(cancellationToken);
        var body = new HealthResponse(reachable ? "ok" : "degraded", reachable ? "ok" : "unreachable", services.Time.GetUtcNow());
        return reachable ? ApiResult.Ok(body) : ApiResult.WithStatus(503, body);
    }

    private static Task<ApiResult> OpenApiAsync(OperationsServices services, RequestContext context, CancellationToken cancellationToken)
    {
        var document = services.OpenApi.Json;
        return Task.FromResult(ApiResult.Raw(200, document, "application/json; charset=utf-8",
            new Dictionary<string, string> { ["Cache-Control"] = "public, max-age=300" }));
    }
}
