using Comx.Core;
using Comx.Core.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace Comx.Functions.ThinkGuide;

public sealed class ThinkGuideFunctions(RequestPipeline pipeline)
{
    [Function(RouteNames.StartThinkGuideSession)]
    public Task<IResult> StartThinkGuideSession([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.ThinkGuideSessions)] HttpRequest request, CancellationToken cancellationToken) =>
        pipeline.HandleAsync(RouteNames.StartThinkGuideSession, request, cancellationToken);

    [Function(RouteNames.AnswerThinkGuideStep)]
    public Task<IResult> AnswerThinkGuideStep([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.ThinkGuideStep)] HttpRequest request, CancellationToken cancellationToken) =>
        pipeline.HandleAsync(RouteNames.AnswerThinkGuideStep, request, cancellationToken);

    [Function(RouteNames.GetThinkGuideSession)]
    public Task<IResult> GetThinkGuideSession([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.ThinkGuideSession)] HttpRequest request, CancellationToken cancellationToken) =>
        pipeline.HandleAsync(RouteNames.GetThinkGuideSession, request, cancellationToken);
}
