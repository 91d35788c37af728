using Comx.Core;
using Comx.Core.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace Comx.Functions.Actions;

public sealed class ActionFunctions(RequestPipeline pipeline)
{
    [Function(RouteNames.CreateActionProposal)]
    public Task<IResult> CreateActionProposal([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.ActionProposals)] HttpRequest request, CancellationToken cancellationToken) =>
        pipeline.HandleAsync(RouteNames.CreateActionProposal, request, cancellationToken);

    [Function(RouteNames.GetActionProposal)]
    public Task<IResult> GetActionProposal([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.Action)] HttpRequest request, CancellationToken cancellationToken) =>
        pipeline.HandleAsync(RouteNames.GetActionProposal, request, cancellationToken);

    [Function(RouteNames.ApproveAction)]
    public Task<IResult> ApproveAction([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.ActionApprove)] HttpRequest request, CancellationToken cancellationToken) =>
        pipeline.HandleAsync(RouteNames.ApproveAction, request, cancellationToken);

    [Function(RouteNames.ExecuteAction)]
    public Task<IResult> ExecuteAction([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.ActionExecute)] HttpRequest request, CancellationToken cancellationToken) =>
        pipeline.HandleAsync(RouteNames.ExecuteAction, request, cancellationToken);

    [Function(RouteNames.GetActionSigningSecret)]
    public Task<IResult> GetActionSigningSecret([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.ActionSigningSecret)] HttpRequest request, CancellationToken cancellationToken) =>
        pipeline.HandleAsync(RouteNames.GetActionSigningSecret, request, cancellationToken);
}
