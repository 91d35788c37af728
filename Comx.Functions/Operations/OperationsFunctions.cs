using Comx.Core;
using Comx.Core.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace Comx.Functions.Operations;

public sealed class OperationsFunctions(RequestPipeline pipeline)
{
    [Function(RouteNames.Health)]
    public Task<IResult> Health([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.Health)] HttpRequest request, CancellationToken cancellationToken) =>
        pipeline.HandleAsync(RouteNames.Health, request, cancellationToken);

    [Function(RouteNames.OpenApi)]
    public Task<IResult> OpenApi([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.OpenApi)] HttpRequest request, CancellationToken cancellationToken) =>
        pipeline.HandleAsync(RouteNames.OpenApi, request, cancellationToken);

    /// <summary>
    /// Unknown routes, wrong methods, HEAD and CORS preflights. The host tries templates in function-name order, so this
    /// one is named to sort last (<see cref="RouteNames.Fallback"/>; docs/decisions/009-route-templates-cannot-collide.md).
    /// </summary>
    [Function(RouteNames.Fallback)]
    public Task<IResult> Fallback(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "post", "put", "patch", "delete", "options", "head", Route = Routes.Fallback)] HttpRequest request,
        CancellationToken cancellationToken) =>
        pipeline.DispatchAsync(request, cancellationToken);
}
