using Comx.Core.Accessibility;
using Comx.Core.Http;
using Comx.Core.Identity;
using Comx.Core.Inbox;
using Comx.Core.Storage;

namespace Comx.Core.Chat;

public sealed record CreateSessionRequest(string WidgetKey, string? VisitorId = null, string? LearnerId = null, string? Locale = null, IReadOnlyDictionary<string, string>? Metadata = null)
    : IValidatable, IPublicScoped
{
    [System.Text.Json.Serialization.JsonIgnore]
    public string IdempotencyScope => WidgetKey;

    public IEnumerable<FieldError> Validate()
    {
        if (string.IsNullOrWhiteSpace(WidgetKey) || WidgetKey.Length > 100)
        {
            yield return new FieldError("widget_key", "widget_key is the widget's publishable key (comx_pk_…).");
        }

        if (VisitorId is { } visitor && (visitor.Length > 100 || !StorageKeys.IsSafeKey(visitor)))
        {
            yield return new FieldError("visitor_id", "visitor_id is up to 100 letters, digits, '_', '-', '.' or ':'.");
        }

        if (LearnerId is { } learner && (learner.Length > 100 || !StorageKeys.IsSafeKey(learner)))
        {
            yield return new FieldError("learner_id", "learner_id is up to 100 letters, digits, '_', '-', '.' or ':'.");
        }

        if (Locale is { Length: > 35 })
        {
            yield return new FieldError("locale", "locale is a language tag such as en-GB.");
        }

        if (Metadata is { } metadata && (metadata.Count > 20 || metadata.Any(m => m.Key.Length > 40 || m.Value.Length > 500)))
        {
            yield return new FieldError("metadata", "metadata holds at most 20 string values (keys up to 40, values up to 500 characters).");
        }
    }
}

/// <summary>
/// A session's answer. <c>Accessibility</c> is present only when the session was started with a <c>learner_id</c>: the
/// display preferences the widget applies (docs/widget.md says why they travel here and not on a route of their own).
/// </summary>
public sealed record CreateSessionResponse(string SessionId, string SessionToken, string Greeting, DateTimeOffset ExpiresAt, WidgetAccessibility? Accessibility = null);

/// <summary>The part of a learner's accessibility preferences the widget renders; the reading level stays on the server.</summary>
public sealed record WidgetAccessibility(double FontScale, bool DyslexiaFont, bool HighContrast, bool ReduceMotion, bool TextToSpeech, string Language)
{
    public static WidgetAccessibility From(LearnerAccessibility prefs)
    {
        ArgumentNullException.ThrowIfNull(prefs);
        return new(prefs.FontScale, prefs.DyslexiaFont, prefs.HighContrast, prefs.ReduceMotion, prefs.TextToSpeech, prefs.Language);
    }
}

public sealed record SendMessageRequest(string SessionId, string Message) : IValidatable, IPublicScoped
{
    public const int MaxLength = 4000;

    [System.Text.Json.Serialization.JsonIgnore]
    public string IdempotencyScope => SessionId;

    public IEnumerable<FieldError> Validate()
    {
        if (string.IsNullOrWhiteSpace(SessionId))
        {
            yield return new FieldError("session_id", "session_id is required.");
        }

        if (string.IsNullOrWhiteSpace(Message) || Message.Length > MaxLength)
        {
            yield return new FieldError("message", $"message is 1 to {MaxLength} characters.");
        }
    }
}

public sealed record AnswerBody(string AnswerId, string Text, IReadOnlyList<Citation> Citations, double Confidence, bool Fallback);

public sealed record SafeguardingOutcome(bool Escalated);

/// <summary>The reply to a visitor message. <c>SuggestedActions</c>: what the widget may offer next (<c>handoff</c>, <c>enquiry</c>).</summary>
public sealed record SendMessageResponse(string MessageId, AnswerBody? Answer, bool HandoffActive, SafeguardingOutcome Safeguarding, IReadOnlyList<string> SuggestedActions);

public sealed record PublicMessage(string MessageId, MessageRole Role, string Text, string? AnswerId, DateTimeOffset CreatedAt);

/// <summary>
/// A page of the conversation: every message after the cursor, in server order. <c>next_after</c> is the cursor to send
/// next time (it stays put when nothing new arrived); <c>has_more</c> says another page is waiting now.
/// </summary>
public sealed record ChatMessagesResponse(IReadOnlyList<PublicMessage> Data, string NextAfter, bool HasMore);

public sealed record AnswerResponse(string AnswerId, string Question, string Text, IReadOnlyList<Citation> Citations, double Confidence, DateTimeOffset CreatedAt);

/// <summary>What the widget chat handlers need, given to them explicitly.</summary>
public sealed record ChatServices(ChatSessionStore Sessions, ChatRateLimits Limits, ChatService Chat, WidgetSettingsStore Widgets, LearnerAccessibilityStore Learners,
    ConversationStore Conversations, AnswerStore Answers, WidgetAccess WidgetAccess, OrgChatGate Gate, IdGenerator Ids);

/// <summary>
/// The widget-facing chat: sessions, messages with grounded and cited answers, the conversation so far, and answers
/// by id. Every visitor message is checked by safeguarding before anything else happens to it.
/// </summary>
internal static class ChatEndpoints
{
    public const int RetrievedPassages = 5;
    public const int MessagesPerPage = 200;

    public static IEnumerable<RouteDefinition> Routes =>
    [
        new(RouteNames.CreateChatSession, "POST", Http.Routes.ChatSessions, RouteAuth.Public, EndpointServices.With<ChatServices>(CreateSessionAsync))
        {
            RequestType = typeof(CreateSessionRequest), ResponseType = typeof(CreateSessionResponse), SuccessStatus = 201,
            RateLimit = RateLimitPolicy.PublicChat, RateLimitedByHandler = true,
            Summary = "Starts a chat session for a widget; the session token is needed for every later call (X-Session-Token). "
                + "20 requests/min per IP, or the organisation's chat_rate_limit_per_ip (up to 600).",
        },
        new(RouteNames.SendChatMessage, "POST", Http.Routes.ChatMessages, RouteAuth.Public, EndpointServices.With<ChatServices>(SendMessageAsync))
        {
            RequestType = typeof(SendMessageRequest), ResponseType = typeof(SendMessageResponse), RateLimit = RateLimitPolicy.PublicChat, RateLimitedByHandler = true,
            Summary = "Sends a visitor message (header X-Session-Token). The answer is null while a person has the thread. "
                + "20 requests/min per IP (or the organisation's chat_rate_limit_per_ip, up to 600) and 20/min per session. "
                + "Messages are answered a few at a time per organisation and per server; one that waits more than 20 s for its turn gets 503 "
                + "COMX_PROVIDER_UNAVAILABLE (retryable, Retry-After: 1).",
        },
        new(RouteNames.ListChatMessages, "GET", Http.Routes.ChatSessionMessages, RouteAuth.Public, EndpointServices.With<ChatServices>(ListMessagesAsync))
        {
            ResponseType = typeof(ChatMessagesResponse), RateLimit = RateLimitPolicy.PublicReads, QueryParameters = ["after"],
            Summary = "The conversation in server order, staff replies included, after the cursor when given (header X-Session-Token). "
                + "after is the next_after of an earlier response (opaque; one this API did not issue for this conversation is 400). 120 requests/min per IP.",
        },
        new(RouteNames.GetAnswer, "GET", Http.Routes.Answer, RouteAuth.Public, EndpointServices.With<ChatServices>(GetAnswerAsync))
        { ResponseType = typeof(AnswerResponse), RateLimit = RateLimitPolicy.PublicReads, Summary = "A stored answer with its citations." },
    ];

    private static async Task<ApiResult> CreateSessionAsync(ChatServices services, RequestContext context, CancellationToken cancellationToken)
    {
        var request = context.BodyAs<CreateSessionRequest>();
        var limits = services.Limits;
        if (await services.WidgetAccess.ResolveAsync(request.WidgetKey, cancellationToken) is not { } widget)
        {
            var unknown = await limits.HitAsync(context.ClientIp, null, 0, null, cancellationToken);
            return ((ApiResult)(unknown.Refusal ?? ApiError.NotFound("widget (check widget_key)"))).WithHeaders(unknown.Headers);
        }

        var limited = await limits.HitAsync(context.ClientIp, widget.OrgId, widget.Settings.ChatRateLimitPerIp, null, cancellationToken);
        if (limited.Refusal is { } tooMany)
        {
            return ((ApiResult)tooMany).WithHeaders(limited.Headers);
        }

        if (PublicAccess.CheckOrigin(context.Request, widget.Settings) is { } refused)
        {
            return ((ApiResult)refused).WithHeaders(limited.Headers);
        }

        // The thread itself is created by the first message, so the inbox lists only conversations that started.
        var threadId = services.Ids.New("thr");
        var (session, token) = await services.Sessions.CreateAsync(widget.OrgId, threadId, request.VisitorId, request.LearnerId,
            request.Locale, request.Metadata, cancellationToken);
        var accessibility = request.LearnerId is { } learnerId
            ? WidgetAccessibility.From(await services.Learners.GetAsync(widget.OrgId, learnerId, cancellationToken))
            : null;
        return ApiResult.Created(new CreateSessionResponse(session.SessionId, token, widget.Settings.Greeting, session.ExpiresAt, accessibility)).WithHeaders(limited.Headers);
    }

    private static async Task<ApiResult> SendMessageAsync(ChatServices services, RequestContext context, CancellationToken cancellationToken)
    {
        var request = context.BodyAs<SendMessageRequest>();
        var opened = await OpenSessionAsync(services.Sessions, context, request.SessionId, cancellationToken);
        if (opened.Error is { } sessionError)
        {
            var unknown = await services.Limits.HitAsync(context.ClientIp, null, 0, null, cancellationToken);
            return ((ApiResult)(unknown.Refusal ?? sessionError)).WithHeaders(unknown.Headers);
        }

        var session = opened.Value!;
        using var turn = await services.Gate.EnterAsync(session.OrgId, cancellationToken);
        if (turn is null)
        {
            return ((ApiResult)ApiError.ProviderUnavailable("This organisation's assistant is answering many messages at once; retry in a moment."))
                .WithHeaders(new Dictionary<string, string> { ["Retry-After"] = "1" });
        }

        var perIp = (await services.Widgets.GetRecentAsync(session.OrgId, cancellationToken))?.ChatRateLimitPerIp
            ?? WidgetSettingsRequest.DefaultChatRateLimitPerIp;
        // Counted while the message's reads are in flight; the service writes nothing until the limits admit the message.
        var limits = services.Limits.HitAsync(context.ClientIp, session.OrgId, perIp, session.SessionId, cancellationToken);
        var sent = await services.Chat.SendAsync(session, request.Message, context.Request.Headers.Origin.ToString(), limits, cancellationToken);
        return (sent.Error is { } error ? error : ApiResult.Ok(sent.Value!)).WithHeaders((await limits).Headers);
    }

    private static async Task<ApiResult> ListMessagesAsync(ChatServices services, RequestContext context, CancellationToken cancellationToken)
    {
        var opened = await OpenSessionAsync(services.Sessions, context, context.Value("sessionId"), cancellationToken);
        if (opened.Error is { } sessionError)
        {
            return sessionError;
        }

        var session = opened.Value!;
        var store = services.Conversations;
        string? after = null;
        if (context.Query("after") is { Length: > 0 } rawAfter)
        {
            // A bare message id is what the first release's widget sent; it is accepted when it is one of this conversation's.
            after = rawAfter.StartsWith("msg_", StringComparison.Ordinal) ? rawAfter : MessageCursor.Decode(rawAfter);
            if (after is null || (after.Length > 0 && !await store.HasMessageAsync(session.OrgId, session.ThreadId, after, cancellationToken)))
            {
                return ApiError.Validation("after", "after is a next_after cursor this API returned for this conversation.");
            }
        }

        var messages = await store.ListMessagesAsync(session.OrgId, session.ThreadId, string.IsNullOrEmpty(after) ? null : after, MessagesPerPage + 1, cancellationToken);
        var page = messages.Take(MessagesPerPage).ToList();
        var nextAfter = page.Count > 0 ? MessageCursor.Encode(page[^1].MessageId) : MessageCursor.Encode(after);
        return ApiResult.Ok(new ChatMessagesResponse([.. page.Select(m => new PublicMessage(m.MessageId, m.Role, m.Text, m.AnswerId, m.CreatedAt))],
            nextAfter, messages.Count > MessagesPerPage));
    }

    private static async Task<ApiResult> GetAnswerAsync(ChatServices services, RequestContext context, CancellationToken cancellationToken)
    {
        var answer = await services.Answers.GetAsync(context.Value("answerId"), cancellationToken);
        return answer is null
            ? ApiError.NotFound("answer")
            : ApiResult.Ok(new AnswerResponse(answer.AnswerId, answer.Question, answer.Text, answer.Citations, answer.Confidence, answer.CreatedAt));
    }

    internal static async Task<ApiResultOr<ChatSession>> OpenSessionAsync(ChatSessionStore sessions, RequestContext context, string sessionId, CancellationToken cancellationToken)
    {
        var token = context.Request.Headers[ChatSessionStore.TokenHeader].ToString();
        var (access, session) = await sessions.OpenAsync(sessionId, token, cancellationToken);
        context.PublicOrgId = session?.OrgId;
        return access switch
        {
            SessionAccess.Granted => session!,
            SessionAccess.Expired => ApiError.Unauthenticated("The chat session has expired. Start a new session."),
            _ => ApiError.Unauthenticated($"The {ChatSessionStore.TokenHeader} header does not open this session."),
        };
    }
}
