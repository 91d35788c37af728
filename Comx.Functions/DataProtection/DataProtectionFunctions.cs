using Comx.Core;
using Comx.Core.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace Comx.Functions.DataProtection;

public sealed class DataProtectionFunctions(RequestPipeline pipeline)
{
    [Function(RouteNames.GetDataRetention)]
    public Task<IResult> GetDataRetention([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.DataRetention)] HttpRequest request, CancellationToken cancellationToken) =>
        pipeline.HandleAsync(RouteNames.GetDataRetention, request, cancellationToken);

    [Function(RouteNames.PutDataRetention)]
    public Task<IResult> PutDataRetention([HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = Routes.DataRetention)] HttpRequest request, CancellationToken cancellationToken) =>
        pipeline.HandleAsync(RouteNames.PutDataRetention, request, cancellationToken);

    [Function(RouteNames.ExportLearner)]
    public Task<IResult> ExportLearner([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.LearnerExport)] HttpRequest request, CancellationToken cancellationToken) =>
        pipeline.HandleAsync(RouteNames.ExportLearner, request, cancellationToken);

    [Function(RouteNames.EraseLearner)]
    public Task<IResult> EraseLearner([HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = Routes.Learner)] HttpRequest request, CancellationToken cancellationToken) =>
        pipeline.HandleAsync(RouteNames.EraseLearner, request, cancellationToken);

    [Function(RouteNames.GetErasure)]
    public Task<IResult> GetErasure([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.Erasure)] HttpRequest request, CancellationToken cancellationToken) =>
        pipeline.HandleAsync(RouteNames.GetErasure, request, cancellationToken);
}
