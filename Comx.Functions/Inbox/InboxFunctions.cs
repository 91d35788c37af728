using Comx.Core;
using Comx.Core.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace Comx.Functions.Inbox;

public sealed class InboxFunctions(RequestPipeline pipeline)
{
    [Function(RouteNames.ListThreads)]
    public Task<IResult> ListThreads([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.InboxThreads)] HttpRequest request, CancellationToken cancellationToken) =>
        pipeline.HandleAsync(RouteNames.ListThreads, request, cancellationToken);

    [Function(RouteNames.GetThread)]
    public Task<IResult> GetThread([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.InboxThread)] HttpRequest request, CancellationToken cancellationToken) =>
        pipeline.HandleAsync(RouteNames.GetThread, request, cancellationToken);

    [Function(RouteNames.ReplyToThread)]
    public Task<IResult> ReplyToThread([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.InboxThreadMessages)] HttpRequest request, CancellationToken cancellationToken) =>
        pipeline.HandleAsync(RouteNames.ReplyToThread, request, cancellationToken);

    [Function(RouteNames.ResolveThread)]
    public Task<IResult> ResolveThread([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.InboxThreadResolve)] HttpRequest request, CancellationToken cancellationToken) =>
        pipeline.HandleAsync(RouteNames.ResolveThread, request, cancellationToken);

    [Function(RouteNames.CreateHandoff)]
    public Task<IResult> CreateHandoff([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.Handoffs)] HttpRequest request, CancellationToken cancellationToken) =>
        pipeline.HandleAsync(RouteNames.CreateHandoff, request, cancellationToken);

    [Function(RouteNames.AssignThread)]
    public Task<IResult> AssignThread([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.InboxThreadAssign)] HttpRequest request, CancellationToken cancellationToken) =>
        pipeline.HandleAsync(RouteNames.AssignThread, request, cancellationToken);
}
