using Comx.Core.Events;
using Comx.Core.Http;
using Comx.Core.Identity;
using Comx.Core.Inbox;
using Comx.Core.Storage;
using Comx.Core.Widget;

namespace Comx.Core.Chat;

public sealed record VisitorHandoffRequest(string SessionId, string? Reason = null) : IValidatable, IPublicScoped
{
    public const int MaxReason = 1000;

    [System.Text.Json.Serialization.JsonIgnore]
    public string IdempotencyScope => SessionId;

    public IEnumerable<FieldError> Validate()
    {
        if (string.IsNullOrWhiteSpace(SessionId) || !StorageKeys.IsSafeKey(SessionId))
        {
            yield return new FieldError("session_id", "session_id is the chat session's id (ses_…).");
        }

        if (Reason is { } reason && (string.IsNullOrWhiteSpace(reason) || reason.Length > MaxReason))
        {
            yield return new FieldError("reason", $"reason is 1 to {MaxReason} characters (or left out).");
        }
    }
}

/// <summary>
/// The answer to a visitor's request for a person. <c>staff_available</c> is false outside the organisation's business
/// hours; <c>message</c> then says when staff are back and offers the enquiry form.
/// </summary>
public sealed record VisitorHandoffResponse(string HandoffId, string ThreadId, string Status, bool StaffAvailable, string Message);

/// <summary>What the widget's handoff handler needs, given to it explicitly.</summary>
public sealed record VisitorHandoffServices(ChatSessionStore Sessions, WidgetSettingsStore Widgets, ConversationStore Conversations, IdGenerator Ids, TimeProvider Time);

/// <summary>
/// <c>POST /public/v1/chat/handoffs</c>: the visitor asks for a person. The thread goes to <c>handoff</c> (the bot pauses)
/// and <c>handoff.requested</c> is raised in the same transaction; a thread already handed off returns its handoff (200).
/// </summary>
internal static class VisitorHandoffEndpoints
{
    public const string DefaultReason = "The visitor asked to talk to a person.";
    public const string StaffComing = "I've asked a member of staff to join this chat. They'll reply here as soon as they can.";

    public static IEnumerable<RouteDefinition> Routes =>
    [
        new(RouteNames.CreateVisitorHandoff, "POST", Http.Routes.ChatHandoffs, RouteAuth.Public, EndpointServices.With<VisitorHandoffServices>(CreateAsync))
        {
            RequestType = typeof(VisitorHandoffRequest), ResponseType = typeof(VisitorHandoffResponse), SuccessStatus = 201, RateLimit = RateLimitPolicy.PublicChat,
            Summary = "The visitor asks for a person (header X-Session-Token): the bot pauses and handoff.requested is raised. 403 with details.reason "
                + "handoff_disabled when the organisation turned handoff off; a thread already handed off returns the same handoff (200). "
                + "Outside business hours staff_available is false and message says when staff are back. 20 requests/min per IP.",
        },
    ];

    private static async Task<ApiResult> CreateAsync(VisitorHandoffServices services, RequestContext context, CancellationToken cancellationToken)
    {
        var request = context.BodyAs<VisitorHandoffRequest>();
        var opened = await ChatEndpoints.OpenSessionAsync(services.Sessions, context, request.SessionId, cancellationToken);
        if (opened.Error is { } sessionError)
        {
            return sessionError;
        }

        var session = opened.Value!;
        if (await services.Widgets.GetAsync(session.OrgId, cancellationToken) is not { } widget)
        {
            return ApiError.Unauthenticated("This chat session's organisation no longer exists.");
        }

        if (PublicAccess.CheckOrigin(context.Request, widget) is { } refused)
        {
            return refused;
        }

        if (!widget.HandoffEnabled)
        {
            return ApiError.Forbidden("This organisation does not take chats over by staff. You can leave your details with the enquiry form instead.", "handoff_disabled");
        }

        var ids = services.Ids;
        var now = services.Time.GetUtcNow();
        var reason = request.Reason?.Trim() ?? DefaultReason;
        var handoffId = ids.New("hof");
        ThreadRecord? already = null;
        var written = await services.Conversations.WriteAsync(session.OrgId, session.ThreadId, thread =>
        {
            if (thread.Status == ThreadStatus.Handoff && thread.HandoffId is not null)
            {
                already = thread;
                return null;
            }

            already = null;
            var data = new HandoffRequestedData(handoffId, thread.ThreadId, session.SessionId, reason, null, HandoffRequesters.Visitor, null);
            return new ThreadWrite([], new ThreadChange(ThreadStatus.Handoff, HandoffId: handoffId, HandoffReason: reason, HandoffRequestedBy: HandoffRequesters.Visitor),
                [EventRecord.Create(ids, now, data)]);
        }, createForSession: session.SessionId, cancellationToken);

        var away = AwayMessages.Compose(widget.BusinessHours, widget.AwayMessage, now);
        var message = away ?? StaffComing;
        if (already is { } existing)
        {
            return ApiResult.Ok(new VisitorHandoffResponse(existing.HandoffId!, existing.ThreadId, "open", away is null, message));
        }

        return ApiResult.Created(new VisitorHandoffResponse(handoffId, written!.Value.Thread.ThreadId, "open", away is null, message));
    }
}
