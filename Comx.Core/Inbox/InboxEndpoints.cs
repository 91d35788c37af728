using Comx.Core.Events;
using Comx.Core.Http;
using Comx.Core.Storage;

namespace Comx.Core.Inbox;

public sealed record ThreadSummary(string ThreadId, string SessionId, ThreadStatus Status, DateTimeOffset LastMessageAt, string Preview, bool SafeguardingFlag, int MessageCount,
    string? AssigneeUserId)
{
    public static ThreadSummary From(ThreadRecord t) => new(t.ThreadId, t.SessionId, t.Status, t.LastMessageAt, t.Preview, t.SafeguardingFlag, t.MessageCount, t.HandoffAssignee);
}

/// <summary>The body of the assign route: a member of the organisation, or null to unassign.</summary>
public sealed record AssignThreadRequest(string? UserId) : IValidatable
{
    public IEnumerable<FieldError> Validate()
    {
        if (UserId is { } user && !StorageKeys.IsSafeKey(user))
        {
            yield return new FieldError("user_id", "user_id is a member's user id (user_…), or null to unassign.");
        }
    }
}

public sealed record HandoffSummary(string HandoffId, string? Reason, string? RequestedBy, string? AssigneeUserId);

public sealed record MessageResponse(string MessageId, MessageRole Role, string Text, string? AnswerId, string? AuthorId, DateTimeOffset CreatedAt)
{
    public static MessageResponse From(MessageRecord m) => new(m.MessageId, m.Role, m.Text, m.AnswerId, m.AuthorId, m.CreatedAt);
}

public sealed record ThreadDetail(string ThreadId, string SessionId, ThreadStatus Status, DateTimeOffset CreatedAt, DateTimeOffset LastMessageAt, string Preview,
    bool SafeguardingFlag, int MessageCount, HandoffSummary? Handoff, DateTimeOffset? ResolvedAt, string? ResolvedBy, IReadOnlyList<MessageResponse> Messages,
    string? AssigneeUserId)
{
    public static ThreadDetail From(ThreadRecord t, IReadOnlyList<MessageRecord> messages) => new(t.ThreadId, t.SessionId, t.Status, t.CreatedAt, t.LastMessageAt,
        t.Preview, t.SafeguardingFlag, t.MessageCount, t.HandoffId is null ? null : new HandoffSummary(t.HandoffId, t.HandoffReason, t.HandoffRequestedBy, t.HandoffAssignee),
        t.ResolvedAt, t.ResolvedBy, [.. messages.Select(MessageResponse.From)], t.HandoffAssignee);
}

public sealed record StaffReplyRequest(string Text) : IValidatable
{
    public IEnumerable<FieldError> Validate()
    {
        if (string.IsNullOrWhiteSpace(Text) || Text.Length > 4000)
        {
            yield return new FieldError("text", "text is 1 to 4000 characters.");
        }
    }
}

public sealed record HandoffRequest(string ThreadId, string Reason, string? AssigneeUserId = null) : IValidatable
{
    public IEnumerable<FieldError> Validate()
    {
        if (!StorageKeys.IsSafeKey(ThreadId))
        {
            yield return new FieldError("thread_id", "thread_id is a thread id (thr_…).");
        }

        if (string.IsNullOrWhiteSpace(Reason) || Reason.Length > 1000)
        {
            yield return new FieldError("reason", "reason is 1 to 1000 characters.");
        }

        if (AssigneeUserId is not null && !StorageKeys.IsSafeKey(AssigneeUserId))
        {
            yield return new FieldError("assignee_user_id", "assignee_user_id is a user id (user_…).");
        }
    }
}

public sealed record HandoffResponse(string HandoffId, string ThreadId, string Status, string Reason, string? AssigneeUserId, string RequestedBy);

/// <summary>What the inbox handlers need, given to them explicitly.</summary>
public sealed record InboxServices(ConversationStore Conversations, Identity.OrgDirectory Directory, IdGenerator Ids, TimeProvider Time);

/// <summary>
/// The inbox: threads newest first (by status and activity), a thread with its messages, staff replies, resolving,
/// and handoffs. A handoff or a staff reply pauses the bot on the thread; resolving lets it answer again.
/// </summary>
internal static class InboxEndpoints
{
    public const int MaxMessagesPerThread = 500;

    public static IEnumerable<RouteDefinition> Routes =>
    [
        new(RouteNames.ListThreads, "GET", Http.Routes.InboxThreads, RouteAuth.Org, EndpointServices.With<InboxServices>(ListAsync))
        {
            ResponseType = typeof(ListResponse<ThreadSummary>), Paged = true, QueryParameters = ["status", "since"],
            Summary = "Threads, newest activity first; filter by status (open, handoff, resolved) and since (ISO-8601).",
        },
        new(RouteNames.GetThread, "GET", Http.Routes.InboxThread, RouteAuth.Org, EndpointServices.With<InboxServices>(GetAsync))
        { ResponseType = typeof(ThreadDetail), Summary = "A thread with its messages, oldest first." },
        new(RouteNames.ReplyToThread, "POST", Http.Routes.InboxThreadMessages, RouteAuth.Org, EndpointServices.With<InboxServices>(ReplyAsync))
        {
            RequestType = typeof(StaffReplyRequest), ResponseType = typeof(MessageResponse), SuccessStatus = 201,
            Summary = "A staff reply, shown to the visitor. Replying takes the thread over: the bot pauses until it is resolved.",
        },
        new(RouteNames.ResolveThread, "POST", Http.Routes.InboxThreadResolve, RouteAuth.Org, EndpointServices.With<InboxServices>(ResolveAsync))
        { ResponseType = typeof(ThreadSummary), Summary = "Marks the thread resolved; the bot answers the visitor again." },
        new(RouteNames.CreateHandoff, "POST", Http.Routes.Handoffs, RouteAuth.Org, EndpointServices.With<InboxServices>(HandoffAsync))
        {
            RequestType = typeof(HandoffRequest), ResponseType = typeof(HandoffResponse), SuccessStatus = 201,
            Summary = "Hands the thread to a person: the bot pauses and handoff.requested is raised. A thread already handed off returns its handoff.",
        },
        new(RouteNames.AssignThread, "POST", Http.Routes.InboxThreadAssign, RouteAuth.Org, EndpointServices.With<InboxServices>(AssignAsync))
        {
            RequestType = typeof(AssignThreadRequest), ResponseType = typeof(ThreadSummary),
            Summary = "Assigns the thread to a member of the organisation (user_id), or unassigns it (null). The thread with assignee_user_id.",
        },
    ];

    private static async Task<ApiResult> ListAsync(InboxServices services, RequestContext context, CancellationToken cancellationToken)
    {
        var page = PageRequest.From(context);
        if (page.Error is { } pageError)
        {
            return pageError;
        }

        ThreadStatus? status = null;
        if (context.Query("status") is { Length: > 0 } rawStatus)
        {
            if (!Enum.TryParse<ThreadStatus>(rawStatus, ignoreCase: true, out var parsed) || int.TryParse(rawStatus, out _))
            {
                return ApiError.Validation("status", "status is open, handoff or resolved.");
            }

            status = parsed;
        }

        DateTimeOffset? since = null;
        if (context.Query("since") is { Length: > 0 } rawSince)
        {
            if (!DateTimeOffset.TryParse(rawSince, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var parsedSince))
            {
                return ApiError.Validation("since", "since is an ISO-8601 time.");
            }

            since = parsedSince;
        }

        var threads = await services.Conversations.ListThreadsAsync(context.Org.OrgId, status, since, page.Value!, cancellationToken);
        return ApiResult.Ok(new ListResponse<ThreadSummary>([.. threads.Data.Select(ThreadSummary.From)], threads.NextCursor));
    }

    private static async Task<ApiResult> GetAsync(InboxServices services, RequestContext context, CancellationToken cancellationToken)
    {
        var store = services.Conversations;
        var thread = await store.GetThreadAsync(context.Org.OrgId, context.Value("threadId"), cancellationToken);
        if (thread is null)
        {
            return ApiError.NotFound("thread");
        }

        var messages = await store.ListMessagesAsync(context.Org.OrgId, thread.ThreadId, null, MaxMessagesPerThread, cancellationToken);
        return ApiResult.Ok(ThreadDetail.From(thread, messages));
    }

    private static async Task<ApiResult> ReplyAsync(InboxServices services, RequestContext context, CancellationToken cancellationToken)
    {
        var caller = context.Org;
        var text = context.BodyAs<StaffReplyRequest>().Text.Trim();
        var written = await services.Conversations.WriteAsync(caller.OrgId, context.Value("threadId"), thread =>
            new ThreadWrite([new NewMessage(MessageRole.Agent, text, AuthorId: caller.Stamp)],
                thread.Status == ThreadStatus.Handoff ? null : new ThreadChange(Status: ThreadStatus.Handoff, HandoffRequestedBy: caller.Stamp, HandoffReason: "staff replied"),
                []), cancellationToken: cancellationToken);
        return written is { } w ? ApiResult.Created(MessageResponse.From(w.Messages[0])) : ApiError.NotFound("thread");
    }

    private static async Task<ApiResult> ResolveAsync(InboxServices services, RequestContext context, CancellationToken cancellationToken)
    {
        var caller = context.Org;
        var now = services.Time.GetUtcNow();
        var written = await services.Conversations.WriteAsync(caller.OrgId, context.Value("threadId"), _ =>
            new ThreadWrite([], new ThreadChange(Status: ThreadStatus.Resolved, ResolvedAt: now, ResolvedBy: caller.Stamp), []), cancellationToken: cancellationToken);
        return written is { } w ? ApiResult.Ok(ThreadSummary.From(w.Thread)) : ApiError.NotFound("thread");
    }

    private static async Task<ApiResult> HandoffAsync(InboxServices services, RequestContext context, CancellationToken cancellationToken)
    {
        var caller = context.Org;
        var request = context.BodyAs<HandoffRequest>();
        var ids = services.Ids;
        var now = services.Time.GetUtcNow();
        ThreadRecord? already = null;
        var handoffId = ids.New("hof");
        var written = await services.Conversations.WriteAsync(caller.OrgId, request.ThreadId, thread =>
        {
            if (thread.Status == ThreadStatus.Handoff && thread.HandoffId is not null)
            {
                already = thread;
                return null;
            }

            var data = new HandoffRequestedData(handoffId, thread.ThreadId, thread.SessionId, request.Reason, request.AssigneeUserId, HandoffRequesters.Staff, caller.Stamp);
            return new ThreadWrite([], new ThreadChange(ThreadStatus.Handoff, HandoffId: handoffId, HandoffReason: request.Reason, HandoffRequestedBy: caller.Stamp,
                HandoffAssignee: request.AssigneeUserId), [EventRecord.Create(ids, now, data)]);
        }, cancellationToken: cancellationToken);
        if (already is { } existing)
        {
            return ApiResult.Ok(new HandoffResponse(existing.HandoffId!, existing.ThreadId, "open", existing.HandoffReason ?? "", existing.HandoffAssignee, existing.HandoffRequestedBy ?? ""));
        }

        return written is { } w
            ? ApiResult.Created(new HandoffResponse(handoffId, w.Thread.ThreadId, "open", request.Reason, request.AssigneeUserId, caller.Stamp))
            : ApiError.NotFound("thread");
    }

    private static async Task<ApiResult> AssignAsync(InboxServices services, RequestContext context, CancellationToken cancellationToken)
    {
        var caller = context.Org;
        var userId = context.BodyAs<AssignThreadRequest>().UserId;
        if (userId is not null
            && await services.Directory.GetMembershipAsync(caller.OrgId, userId, cancellationToken) is not { Status: Identity.RecordStatus.Active })
        {
            return ApiError.Validation("user_id", "user_id is not a member of this organisation.");
        }

        var written = await services.Conversations.WriteAsync(caller.OrgId, context.Value("threadId"), _ =>
            new ThreadWrite([], new ThreadChange(Assignee: new AssigneeUpdate(userId)), []), cancellationToken: cancellationToken);
        return written is { } w ? ApiResult.Ok(ThreadSummary.From(w.Thread)) : ApiError.NotFound("thread");
    }
}
