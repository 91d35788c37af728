using Comx.Core;
using Comx.Core.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace Comx.Functions.Chat;

public sealed class ChatFunctions(RequestPipeline pipeline)
{
    [Function(RouteNames.CreateChatSession)]
    public Task<IResult> CreateChatSession([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.ChatSessions)] HttpRequest request, CancellationToken cancellationToken) =>
        pipeline.HandleAsync(RouteNames.CreateChatSession, request, cancellationToken);

    [Function(RouteNames.SendChatMessage)]
    public Task<IResult> SendChatMessage([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.ChatMessages)] HttpRequest request, CancellationToken cancellationToken) =>
        pipeline.HandleAsync(RouteNames.SendChatMessage, request, cancellationToken);

    [Function(RouteNames.ListChatMessages)]
    public Task<IResult> ListChatMessages([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.ChatSessionMessages)] HttpRequest request, CancellationToken cancellationToken) =>
        pipeline.HandleAsync(RouteNames.ListChatMessages, request, cancellationToken);

    [Function(RouteNames.GetAnswer)]
    public Task<IResult> GetAnswer([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.Answer)] HttpRequest request, CancellationToken cancellationToken) =>
        pipeline.HandleAsync(RouteNames.GetAnswer, request, cancellationToken);

    [Function(RouteNames.CreateVisitorHandoff)]
    public Task<IResult> CreateVisitorHandoff([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.ChatHandoffs)] HttpRequest request, CancellationToken cancellationToken) =>
        pipeline.HandleAsync(RouteNames.CreateVisitorHandoff, request, cancellationToken);

    [Function(RouteNames.SendAnswerFeedback)]
    public Task<IResult> SendAnswerFeedback([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.AnswerFeedback)] HttpRequest request, CancellationToken cancellationToken) =>
        pipeline.HandleAsync(RouteNames.SendAnswerFeedback, request, cancellationToken);
}
