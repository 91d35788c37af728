using Comx.Core;
using Comx.Core.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace Comx.Functions.Webhooks;

public sealed class InboundWebhookFunctions(RequestPipeline pipeline)
{
    [Function(RouteNames.ClerkWebhook)]
    public Task<IResult> ClerkWebhook([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.ClerkWebhook)] HttpRequest request, CancellationToken cancellationToken) =>
        pipeline.HandleAsync(RouteNames.ClerkWebhook, request, cancellationToken);

    [Function(RouteNames.StripeWebhook)]
    public Task<IResult> StripeWebhook([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.StripeWebhook)] HttpRequest request, CancellationToken cancellationToken) =>
        pipeline.HandleAsync(RouteNames.StripeWebhook, request, cancellationToken);
}
