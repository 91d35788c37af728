namespace Comx.Core.Inbox;

public enum ThreadStatus
{
    Open,
    Handoff,
    Resolved,
}

public enum MessageRole
{
    Visitor,
    Bot,
    Agent,
}

/// <summary>A conversation of the organisation's inbox: one per chat session.</summary>
public sealed record ThreadRecord(
    string ThreadId,
    string SessionId,
    ThreadStatus Status,
    DateTimeOffset CreatedAt,
    DateTimeOffset LastMessageAt,
    string Preview,
    bool SafeguardingFlag,
    int MessageCount,
    string? HandoffId,
    string? HandoffReason,
    string? HandoffRequestedBy,
    string? HandoffAssignee,
    DateTimeOffset? ResolvedAt,
    string? ResolvedBy);

public sealed record MessageRecord(string MessageId, string ThreadId, MessageRole Role, string Text, string? AnswerId, string? AuthorId, DateTimeOffset CreatedAt);

/// <summary>A message to add to a thread; the store assigns its id.</summary>
public sealed record NewMessage(MessageRole Role, string Text, string? AnswerId = null, string? AuthorId = null);

/// <summary>An event written to the outbox in the same transaction as the state it describes.</summary>
public sealed record OutboxEvent(string EventId, string Type, DateTimeOffset CreatedAt, object Data);

/// <summary>How a write changes a thread besides adding messages; null members leave the field alone.</summary>
public sealed record ThreadChange(
    ThreadStatus? Status = null,
    bool? SafeguardingFlag = null,
    string? HandoffId = null,
    string? HandoffReason = null,
    string? HandoffRequestedBy = null,
    string? HandoffAssignee = null,
    DateTimeOffset? ResolvedAt = null,
    string? ResolvedBy = null);

/// <summary>Event type names (api.md "Events").</summary>
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
    public const string ErasureCompleted = "erasure.completed";

    public static readonly IReadOnlyList<string> All =
        [ChatMessageAnswered, EnquiryCreated, HandoffRequested, SafeguardingAlert, ActionExecuted, ActionFailed, IngestSucceeded, IngestFailed, ErasureCompleted];
}
