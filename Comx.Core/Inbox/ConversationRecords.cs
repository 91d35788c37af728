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
