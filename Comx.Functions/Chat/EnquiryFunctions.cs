using Comx.Core;
using Comx.Core.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace Comx.Functions.Chat;

public sealed class EnquiryFunctions(RequestPipeline pipeline)
{
    [Function(RouteNames.CreateEnquiry)]
    public Task<IResult> CreateEnquiry([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.Enquiries)] HttpRequest request, CancellationToken cancellationToken) =>
        pipeline.HandleAsync(RouteNames.CreateEnquiry, request, cancellationToken);

    [Function(RouteNames.ListEnquiries)]
    public Task<IResult> ListEnquiries([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.Enquiry)] HttpRequest request, CancellationToken cancellationToken) =>
        pipeline.HandleAsync(RouteNames.ListEnquiries, request, cancellationToken);

    [Function(RouteNames.GetEnquiry)]
    public Task<IResult> GetEnquiry([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.EnquiryById)] HttpRequest request, CancellationToken cancellationToken) =>
        pipeline.HandleAsync(RouteNames.GetEnquiry, request, cancellationToken);

    [Function(RouteNames.CloseEnquiry)]
    public Task<IResult> CloseEnquiry([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.EnquiryClose)] HttpRequest request, CancellationToken cancellationToken) =>
        pipeline.HandleAsync(RouteNames.CloseEnquiry, request, cancellationToken);
}
