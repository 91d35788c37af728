namespace Comx.Core.Events;

/// <summary>
/// The <c>data</c> of one event type. Each implementation is a sealed record naming its type, so a raise site cannot
/// pair a payload with the wrong event name, and the OpenAPI document publishes one schema per type.
/// </summary>
public interface IEventData
{
    /// <summary>The event type (api.md "Events"), such as <c>handoff.requested</c>.</summary>
    static abstract string EventType { get; }
}

/// <summary>Event type names (api.md "Events" and the second release's new events).</summary>
public static class EventTypes
{
    public const string ChatMessageAnswered = "chat.message_answered";
    public const string EnquiryCreated = "enquiry.created";
    public const string HandoffRequested = "handoff.requested";
    public const string SafeguardingAlert = "safeguarding.alert";
    public const string ActionExecuted = "action.executed";
    public const string ActionFailed = "action.failed";
    public const string IngestSucceeded = "ingest.succeeded";
    public const string IngestFailed = "ingest.failed";
    public const string FeedbackReceived = "feedback.received";
    public const string ErasureCompleted = "erasure.completed";

    public static readonly IReadOnlyList<string> All =
    [
        ChatMessageAnswered, EnquiryCreated, HandoffRequested, SafeguardingAlert, ActionExecuted, ActionFailed, IngestSucceeded, IngestFailed,
        FeedbackReceived, ErasureCompleted,
    ];

    public static bool IsKnown(string type) => All.Contains(type, StringComparer.Ordinal);
}

/// <summary>
/// An event to write to the outbox, with its id and time. Create it from a typed payload:
/// <c>EventRecord.Create(ids, now, new HandoffRequestedData(...))</c>, or with an id derived from the state it describes
/// (<see cref="Create{T}(string, DateTimeOffset, T)"/>) when raising it twice must be a no-op.
/// </summary>
public sealed record EventRecord(string EventId, string Type, DateTimeOffset CreatedAt, IEventData Data)
{
    public static EventRecord Create<T>(IdGenerator ids, DateTimeOffset now, T data) where T : IEventData
    {
        ArgumentNullException.ThrowIfNull(ids);
        return Create(ids.New("evt"), now, data);
    }

    public static EventRecord Create<T>(string eventId, DateTimeOffset now, T data) where T : IEventData
    {
        ArgumentException.ThrowIfNullOrEmpty(eventId);
        ArgumentNullException.ThrowIfNull(data);
        return new EventRecord(eventId, T.EventType, now, data);
    }
}

/// <summary>The body of every event delivery (api.md): <c>{"id","type","created_at","org_id","data"}</c>.</summary>
public sealed record EventEnvelope(string Id, string Type, DateTimeOffset CreatedAt, string OrgId, object Data);

/// <summary>An event read back from the outbox: its record fields and the delivery body serialised when it was raised.</summary>
public sealed record StoredEvent(string EventId, string Type, DateTimeOffset CreatedAt, string Json)
{
    /// <summary>The outbox table that holds it.</summary>
    internal string Table { get; init; } = "";
}

/// <summary>A source cited by an answer, as events carry it.</summary>
public sealed record EventCitation(string SourceId, string Title, string? Url, string Snippet);

/// <summary><c>chat.message_answered</c>: the assistant answered a visitor's message.</summary>
public sealed record ChatMessageAnsweredData(string ThreadId, string SessionId, string AnswerId, string Question, string Answer, double Confidence, bool Fallback,
    IReadOnlyList<EventCitation> Citations) : IEventData
{
    public static string EventType => EventTypes.ChatMessageAnswered;
}

/// <summary><c>enquiry.created</c>: a visitor sent the enquiry form.</summary>
public sealed record EnquiryCreatedData(string EnquiryId, string Name, string Email, string? Phone, string Message, string? SessionId, string? ThreadId,
    DateTimeOffset CreatedAt) : IEventData
{
    public static string EventType => EventTypes.EnquiryCreated;
}

/// <summary>Who asked for a person: the visitor from the widget, or a member of staff.</summary>
public static class HandoffRequesters
{
    public const string Visitor = "visitor";
    public const string Staff = "staff";
}

/// <summary>
/// <c>handoff.requested</c>: a thread was handed to staff. <see cref="RequestedBy"/> is <c>visitor</c> or <c>staff</c>;
/// <see cref="RequestedByUserId"/> names the member (or API key) when staff asked.
/// </summary>
public sealed record HandoffRequestedData(string HandoffId, string ThreadId, string SessionId, string? Reason, string? AssigneeUserId, string RequestedBy,
    string? RequestedByUserId) : IEventData
{
    public static string EventType => EventTypes.HandoffRequested;
}

/// <summary>Where a safeguarding concern was detected.</summary>
public static class SafeguardingSources
{
    public const string Chat = "chat";
    public const string ThinkGuide = "thinkguide";
}

/// <summary>The organisation's safeguarding contact, as alerts carry it.</summary>
public sealed record SafeguardingAlertContact(string? Name, string? Email);

/// <summary>
/// <c>safeguarding.alert</c>: a message raised a safeguarding concern. One shape wherever it was detected: the thread
/// (null for ThinkGuide, which has none), the session, the category and how it was detected. <see cref="Message"/> is
/// the learner's words for the organisation's own signed webhook receiver; e-mail notifications never include it.
/// </summary>
public sealed record SafeguardingAlertData(string? ThreadId, string? SessionId, string Source, string? LearnerId, string Category, string DetectedBy, string Message,
    SafeguardingAlertContact? Contact) : IEventData
{
    public static string EventType => EventTypes.SafeguardingAlert;
}

/// <summary><c>action.executed</c>: an approved action's signed POST succeeded.</summary>
public sealed record ActionExecutedData(string ProposalId, string ActionType, string TargetUrl, string Summary, string? ThreadId, string DeliveryId, string Status,
    int? StatusCode, int Attempts, string? Error, string? ApprovedBy, string? ExecutedBy, DateTimeOffset FinishedAt) : IEventData
{
    public static string EventType => EventTypes.ActionExecuted;
}

/// <summary><c>action.failed</c>: an approved action's signed POST failed after its last attempt.</summary>
public sealed record ActionFailedData(string ProposalId, string ActionType, string TargetUrl, string Summary, string? ThreadId, string DeliveryId, string Status,
    int? StatusCode, int Attempts, string? Error, string? ApprovedBy, string? ExecutedBy, DateTimeOffset FinishedAt) : IEventData
{
    public static string EventType => EventTypes.ActionFailed;
}

/// <summary><c>ingest.succeeded</c>: a source was (re)indexed. <see cref="Status"/> is always <c>succeeded</c>.</summary>
public sealed record IngestSucceededData(string JobId, string SourceId, string? Title, string Status, int ChunkCount) : IEventData
{
    public static string EventType => EventTypes.IngestSucceeded;
}

/// <summary><c>ingest.failed</c>: an ingest job failed. <see cref="Status"/> is always <c>failed</c>.</summary>
public sealed record IngestFailedData(string JobId, string SourceId, string? Title, string Status, string Error) : IEventData
{
    public static string EventType => EventTypes.IngestFailed;
}

/// <summary><c>feedback.received</c>: a visitor said whether an answer helped.</summary>
public sealed record FeedbackReceivedData(string AnswerId, string SessionId, string? ThreadId, bool Helpful, string? Comment) : IEventData
{
    public static string EventType => EventTypes.FeedbackReceived;
}

/// <summary><c>erasure.completed</c>: everything held about a learner was erased.</summary>
public sealed record ErasureCompletedData(string ErasureId, string LearnerId, int RowsRemoved, DateTimeOffset CompletedAt) : IEventData
{
    public static string EventType => EventTypes.ErasureCompleted;
}
