using Comx.Core;
using Comx.Core.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace Comx.Functions.Accessibility;

public sealed class AccessibilityFunctions(RequestPipeline pipeline)
{
    [Function(RouteNames.GetLearnerAccessibility)]
    public Task<IResult> GetLearnerAccessibility([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.LearnerAccessibility)] HttpRequest request, CancellationToken cancellationToken) =>
        pipeline.HandleAsync(RouteNames.GetLearnerAccessibility, request, cancellationToken);

    [Function(RouteNames.PutLearnerAccessibility)]
    public Task<IResult> PutLearnerAccessibility([HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = Routes.LearnerAccessibility)] HttpRequest request, CancellationToken cancellationToken) =>
        pipeline.HandleAsync(RouteNames.PutLearnerAccessibility, request, cancellationToken);
}
