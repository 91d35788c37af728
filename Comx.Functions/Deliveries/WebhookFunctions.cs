using Comx.Core;
using Comx.Core.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace Comx.Functions.Deliveries;

public sealed class WebhookFunctions(RequestPipeline pipeline)
{
    [Function(RouteNames.ListWebhooks)]
    public Task<IResult> ListWebhooks([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.Webhooks)] HttpRequest request, CancellationToken cancellationToken) =>
        pipeline.HandleAsync(RouteNames.ListWebhooks, request, cancellationToken);

    [Function(RouteNames.CreateWebhook)]
    public Task<IResult> CreateWebhook([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.Webhooks)] HttpRequest request, CancellationToken cancellationToken) =>
        pipeline.HandleAsync(RouteNames.CreateWebhook, request, cancellationToken);

    [Function(RouteNames.DeleteWebhook)]
    public Task<IResult> DeleteWebhook([HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = Routes.Webhook)] HttpRequest request, CancellationToken cancellationToken) =>
        pipeline.HandleAsync(RouteNames.DeleteWebhook, request, cancellationToken);

    [Function(RouteNames.ListWebhookDeliveries)]
    public Task<IResult> ListWebhookDeliveries([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.WebhookDeliveries)] HttpRequest request, CancellationToken cancellationToken) =>
        pipeline.HandleAsync(RouteNames.ListWebhookDeliveries, request, cancellationToken);

    [Function(RouteNames.EnableWebhook)]
    public Task<IResult> EnableWebhook([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.WebhookEnable)] HttpRequest request, CancellationToken cancellationToken) =>
        pipeline.HandleAsync(RouteNames.EnableWebhook, request, cancellationToken);

    [Function(RouteNames.ResendWebhookDelivery)]
    public Task<IResult> ResendWebhookDelivery([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.WebhookResend)] HttpRequest request, CancellationToken cancellationToken) =>
        pipeline.HandleAsync(RouteNames.ResendWebhookDelivery, request, cancellationToken);

    [Function(RouteNames.GetWebhookSamples)]
    public Task<IResult> GetWebhookSamples([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.WebhookSamples)] HttpRequest request, CancellationToken cancellationToken) =>
        pipeline.HandleAsync(RouteNames.GetWebhookSamples, request, cancellationToken);
}
