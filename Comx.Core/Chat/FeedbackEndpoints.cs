using Comx.Core.Events;
using Comx.Core.Http;
using Comx.Core.Inbox;
using Comx.Core.Storage;

namespace Comx.Core.Chat;

public sealed record AnswerFeedbackRequest(string SessionId, bool Helpful, string? Comment = null) : IValidatable, IPublicScoped
{
    public const int MaxComment = 1000;

    [System.Text.Json.Serialization.JsonIgnore]
    public string IdempotencyScope => SessionId;

    public IEnumerable<FieldError> Validate()
    {
        if (string.IsNullOrWhiteSpace(SessionId) || !StorageKeys.IsSafeKey(SessionId))
        {
            yield return new FieldError("session_id", "session_id is the chat session's id (ses_…).");
        }

        if (Comment is { Length: > MaxComment })
        {
            yield return new FieldError("comment", $"comment is at most {MaxComment} characters.");
        }
    }
}

/// <summary>What the feedback handler needs, given to it explicitly.</summary>
public sealed record FeedbackServices(ChatSessionStore Sessions, AnswerStore Answers, ConversationStore Conversations, EventStore Events, IdGenerator Ids, TimeProvider Time);

/// <summary>
/// <c>POST /public/v1/answers/{answerId}/feedback</c>: thumbs up or down on an answer, only from the session it was given
/// to. The vote is stored with the answer (a second one replaces the first) and raises <c>feedback.received</c>.
/// </summary>
internal static class FeedbackEndpoints
{
    public static IEnumerable<RouteDefinition> Routes =>
    [
        new(RouteNames.SendAnswerFeedback, "POST", Http.Routes.AnswerFeedback, RouteAuth.Public, EndpointServices.With<FeedbackServices>(SendAsync))
        {
            RequestType = typeof(AnswerFeedbackRequest), SuccessStatus = 204, RateLimit = RateLimitPolicy.PublicChat,
            Summary = "Rates an answer as helpful or not (header X-Session-Token; only the session that got the answer). 204; a second vote replaces the first. "
                + "Raises feedback.received. 20 requests/min per IP.",
        },
    ];

    private static async Task<ApiResult> SendAsync(FeedbackServices services, RequestContext context, CancellationToken cancellationToken)
    {
        var request = context.BodyAs<AnswerFeedbackRequest>();
        var opened = await ChatEndpoints.OpenSessionAsync(services.Sessions, context, request.SessionId, cancellationToken);
        if (opened.Error is { } sessionError)
        {
            return sessionError;
        }

        var session = opened.Value!;
        var answerId = context.Value("answerId");
        var answers = services.Answers;
        var conversations = services.Conversations;
        // Another session's answer is "not found", like another organisation's: its id is not this visitor's to rate.
        if (await answers.GetAsync(answerId, cancellationToken) is not { } answer || answer.OrgId != session.OrgId
            || !await conversations.HasAnswerAsync(session.OrgId, session.ThreadId, answerId, cancellationToken))
        {
            return ApiError.NotFound("answer in this chat session");
        }

        var now = services.Time.GetUtcNow();
        var comment = string.IsNullOrWhiteSpace(request.Comment) ? null : request.Comment.Trim();
        // The event goes first: a crash before the vote is stored leaves a retry to store it, never a vote nobody heard of.
        await services.Events.AddAsync(session.OrgId,
            [EventRecord.Create(services.Ids, now, new FeedbackReceivedData(answerId, session.SessionId, session.ThreadId, request.Helpful, comment))],
            cancellationToken);
        await answers.SetFeedbackAsync(answerId, new AnswerFeedback(request.Helpful, comment, session.SessionId, now), cancellationToken);
        return ApiResult.NoContent();
    }
}
