using Comx.Core;
using Comx.Core.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace Comx.Functions.Safeguarding;

public sealed class SafeguardingFunctions(RequestPipeline pipeline)
{
    [Function(RouteNames.GetSafeguarding)]
    public Task<IResult> GetSafeguarding([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.Safeguarding)] HttpRequest request, CancellationToken cancellationToken) =>
        pipeline.HandleAsync(RouteNames.GetSafeguarding, request, cancellationToken);

    [Function(RouteNames.PutSafeguarding)]
    public Task<IResult> PutSafeguarding([HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = Routes.Safeguarding)] HttpRequest request, CancellationToken cancellationToken) =>
        pipeline.HandleAsync(RouteNames.PutSafeguarding, request, cancellationToken);
}
