using Comx.Core;
using Comx.Core.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace Comx.Functions.Knowledge;

public sealed class SourceFunctions(RequestPipeline pipeline)
{
    [Function(RouteNames.CreateSource)]
    public Task<IResult> CreateSource([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.Sources)] HttpRequest request, CancellationToken cancellationToken) =>
        pipeline.HandleAsync(RouteNames.CreateSource, request, cancellationToken);

    [Function(RouteNames.ListSources)]
    public Task<IResult> ListSources([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.Sources)] HttpRequest request, CancellationToken cancellationToken) =>
        pipeline.HandleAsync(RouteNames.ListSources, request, cancellationToken);

    [Function(RouteNames.CreateIngestJob)]
    public Task<IResult> CreateIngestJob([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.IngestJobs)] HttpRequest request, CancellationToken cancellationToken) =>
        pipeline.HandleAsync(RouteNames.CreateIngestJob, request, cancellationToken);

    [Function(RouteNames.GetIngestJob)]
    public Task<IResult> GetIngestJob([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.IngestJob)] HttpRequest request, CancellationToken cancellationToken) =>
        pipeline.HandleAsync(RouteNames.GetIngestJob, request, cancellationToken);

    [Function(RouteNames.GetSourceHealth)]
    public Task<IResult> GetSourceHealth([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.SourceHealth)] HttpRequest request, CancellationToken cancellationToken) =>
        pipeline.HandleAsync(RouteNames.GetSourceHealth, request, cancellationToken);

    [Function(RouteNames.GetSource)]
    public Task<IResult> GetSource([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.Source)] HttpRequest request, CancellationToken cancellationToken) =>
        pipeline.HandleAsync(RouteNames.GetSource, request, cancellationToken);

    [Function(RouteNames.UpdateSource)]
    public Task<IResult> UpdateSource([HttpTrigger(AuthorizationLevel.Anonymous, "patch", Route = Routes.Source)] HttpRequest request, CancellationToken cancellationToken) =>
        pipeline.HandleAsync(RouteNames.UpdateSource, request, cancellationToken);

    [Function(RouteNames.DeleteSource)]
    public Task<IResult> DeleteSource([HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = Routes.Source)] HttpRequest request, CancellationToken cancellationToken) =>
        pipeline.HandleAsync(RouteNames.DeleteSource, request, cancellationToken);

    [Function(RouteNames.UploadSourceFile)]
    public Task<IResult> UploadSourceFile([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.SourceFiles)] HttpRequest request, CancellationToken cancellationToken) =>
        pipeline.HandleAsync(RouteNames.UploadSourceFile, request, cancellationToken);
}
