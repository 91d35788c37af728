using Comx.Core;
using Comx.Core.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace Comx.Functions.Templates;

public sealed class TemplateFunctions(RequestPipeline pipeline)
{
    [Function(RouteNames.ListTemplates)]
    public Task<IResult> ListTemplates([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.Templates)] HttpRequest request, CancellationToken cancellationToken) =>
        pipeline.HandleAsync(RouteNames.ListTemplates, request, cancellationToken);

    [Function(RouteNames.CreateTemplate)]
    public Task<IResult> CreateTemplate([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.Templates)] HttpRequest request, CancellationToken cancellationToken) =>
        pipeline.HandleAsync(RouteNames.CreateTemplate, request, cancellationToken);

    [Function(RouteNames.UpdateTemplate)]
    public Task<IResult> UpdateTemplate([HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = Routes.Template)] HttpRequest request, CancellationToken cancellationToken) =>
        pipeline.HandleAsync(RouteNames.UpdateTemplate, request, cancellationToken);

    [Function(RouteNames.DeleteTemplate)]
    public Task<IResult> DeleteTemplate([HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = Routes.Template)] HttpRequest request, CancellationToken cancellationToken) =>
        pipeline.HandleAsync(RouteNames.DeleteTemplate, request, cancellationToken);

    [Function(RouteNames.RenderTemplate)]
    public Task<IResult> RenderTemplate([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.TemplateRender)] HttpRequest request, CancellationToken cancellationToken) =>
        pipeline.HandleAsync(RouteNames.RenderTemplate, request, cancellationToken);
}
