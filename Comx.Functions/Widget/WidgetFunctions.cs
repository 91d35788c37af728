using Comx.Core;
using Comx.Core.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace Comx.Functions.Widget;

public sealed class WidgetFunctions(RequestPipeline pipeline)
{
    [Function(RouteNames.GetWidgetScript)]
    public Task<IResult> GetWidgetScript([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.WidgetScript)] HttpRequest request, CancellationToken cancellationToken) =>
        pipeline.HandleAsync(RouteNames.GetWidgetScript, request, cancellationToken);

    [Function(RouteNames.GetWidgetConfig)]
    public Task<IResult> GetWidgetConfig([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.WidgetConfig)] HttpRequest request, CancellationToken cancellationToken) =>
        pipeline.HandleAsync(RouteNames.GetWidgetConfig, request, cancellationToken);

    [Function(RouteNames.GetWidgetFont)]
    public Task<IResult> GetWidgetFont([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.WidgetFont)] HttpRequest request, CancellationToken cancellationToken) =>
        pipeline.HandleAsync(RouteNames.GetWidgetFont, request, cancellationToken);
}
