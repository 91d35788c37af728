using Comx.Core;
using Comx.Core.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace Comx.Functions.Insights;

public sealed class InsightsFunctions(RequestPipeline pipeline)
{
    [Function(RouteNames.InsightsSummary)]
    public Task<IResult> InsightsSummary([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.InsightsSummary)] HttpRequest request, CancellationToken cancellationToken) =>
        pipeline.HandleAsync(RouteNames.InsightsSummary, request, cancellationToken);

    [Function(RouteNames.InsightsUnanswered)]
    public Task<IResult> InsightsUnanswered([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.InsightsUnanswered)] HttpRequest request, CancellationToken cancellationToken) =>
        pipeline.HandleAsync(RouteNames.InsightsUnanswered, request, cancellationToken);
}
