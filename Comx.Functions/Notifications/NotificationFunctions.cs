using Comx.Core;
using Comx.Core.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace Comx.Functions.Notifications;

public sealed class NotificationFunctions(RequestPipeline pipeline)
{
    [Function(RouteNames.GetNotifications)]
    public Task<IResult> GetNotifications([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.Notifications)] HttpRequest request, CancellationToken cancellationToken) =>
        pipeline.HandleAsync(RouteNames.GetNotifications, request, cancellationToken);

    [Function(RouteNames.PutNotifications)]
    public Task<IResult> PutNotifications([HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = Routes.Notifications)] HttpRequest request, CancellationToken cancellationToken) =>
        pipeline.HandleAsync(RouteNames.PutNotifications, request, cancellationToken);
}
