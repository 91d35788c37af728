using Comx.Core;
using Comx.Core.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace Comx.Functions.Identity;

public sealed class IdentityFunctions(RequestPipeline pipeline)
{
    [Function(RouteNames.GetMe)]
    public Task<IResult> GetMe([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.Me)] HttpRequest request, CancellationToken cancellationToken) =>
        pipeline.HandleAsync(RouteNames.GetMe, request, cancellationToken);

    [Function(RouteNames.GetWidget)]
    public Task<IResult> GetWidget([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.Widget)] HttpRequest request, CancellationToken cancellationToken) =>
        pipeline.HandleAsync(RouteNames.GetWidget, request, cancellationToken);

    [Function(RouteNames.PutWidget)]
    public Task<IResult> PutWidget([HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = Routes.Widget)] HttpRequest request, CancellationToken cancellationToken) =>
        pipeline.HandleAsync(RouteNames.PutWidget, request, cancellationToken);

    [Function(RouteNames.ListApiKeys)]
    public Task<IResult> ListApiKeys([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.ApiKeys)] HttpRequest request, CancellationToken cancellationToken) =>
        pipeline.HandleAsync(RouteNames.ListApiKeys, request, cancellationToken);

    [Function(RouteNames.CreateApiKey)]
    public Task<IResult> CreateApiKey([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.ApiKeys)] HttpRequest request, CancellationToken cancellationToken) =>
        pipeline.HandleAsync(RouteNames.CreateApiKey, request, cancellationToken);

    [Function(RouteNames.RevokeApiKey)]
    public Task<IResult> RevokeApiKey([HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = Routes.ApiKey)] HttpRequest request, CancellationToken cancellationToken) =>
        pipeline.HandleAsync(RouteNames.RevokeApiKey, request, cancellationToken);

    [Function(RouteNames.RotateApiKey)]
    public Task<IResult> RotateApiKey([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.ApiKeyRotate)] HttpRequest request, CancellationToken cancellationToken) =>
        pipeline.HandleAsync(RouteNames.RotateApiKey, request, cancellationToken);
}
