using Comx.Core.Accessibility;
using Comx.Core.Http;
using Comx.Core.Inbox;
using Comx.Core.Storage;
using Comx.Core.ThinkGuide;

namespace Comx.Core.DataProtection;

/// <summary><c>PUT /org/v1/data-retention</c>: how many days each kind of record is kept after its last activity.</summary>
public sealed record RetentionPolicyRequest(int ConversationDays, int EnquiryDays, int SafeguardingDays) : IValidatable
{
    public const int MinDays = 7;
    public const int MaxDays = 3650;

    /// <summary>Safeguarding records may be kept far longer than conversations (child-protection files run to the child's 25th birthday and beyond).</summary>
    public const int MaxSafeguardingDays = 36500;

    public IEnumerable<FieldError> Validate()
    {
        if (ConversationDays is < MinDays or > MaxDays)
        {
            yield return new FieldError("conversation_days", $"conversation_days is {MinDays} to {MaxDays}.");
        }

        if (EnquiryDays is < MinDays or > MaxDays)
        {
            yield return new FieldError("enquiry_days", $"enquiry_days is {MinDays} to {MaxDays}.");
        }

        if (SafeguardingDays < ConversationDays || SafeguardingDays > MaxSafeguardingDays)
        {
            yield return new FieldError("safeguarding_days", $"safeguarding_days is at least conversation_days and at most {MaxSafeguardingDays}.");
        }
    }
}

/// <summary>What one run of the retention job removed, by kind (conversations, messages, answers, chat_sessions, enquiries).</summary>
public sealed record RetentionRun(DateTimeOffset At, IReadOnlyDictionary<string, int> RowsRemoved);

/// <summary>
/// The policy (<c>GET/PUT /org/v1/data-retention</c>). <c>Configured</c> is false until an admin sets one: until then
/// nothing is deleted and the values shown are the defaults a PUT would start from.
/// </summary>
public sealed record RetentionPolicyResponse(int ConversationDays, int EnquiryDays, int SafeguardingDays, bool Configured, DateTimeOffset? UpdatedAt,
    string? UpdatedBy, RetentionRun? LastRun);

public enum ErasureStatus
{
    Queued,
    Running,
    Completed,
}

/// <summary>An erasure as shown by <c>GET /org/v1/erasures/{erasureId}</c>.</summary>
public sealed record ErasureResponse(string ErasureId, string LearnerId, ErasureStatus Status, IReadOnlyDictionary<string, int> RowsRemoved,
    IReadOnlyList<string> StepsDone, DateTimeOffset CreatedAt, DateTimeOffset? CompletedAt, int Attempts);


/// <summary>The queue message of <c>learner-erasures</c>. Versioned so the shape can change safely.</summary>
public sealed record ErasureMessage(int Version, string OrgId, string ErasureId) : IQueueMessage
{
    public const int CurrentVersion = 1;

    public static ErasureMessage For(string orgId, string erasureId) => new(CurrentVersion, orgId, erasureId);
}

/// <summary>One chat session in an export: the session, its messages and the answers given in it.</summary>
public sealed record ExportedChatSession(string SessionId, string ThreadId, string? VisitorId, string? Locale, DateTimeOffset CreatedAt,
    DateTimeOffset ExpiresAt, IReadOnlyList<MessageRecord> Messages, IReadOnlyList<Chat.StoredAnswer> Answers, IReadOnlyList<ExportedEnquiry> Enquiries);

/// <summary>An enquiry made from one of the learner's sessions.</summary>
public sealed record ExportedEnquiry(string EnquiryId, string Name, string Email, string? Phone, string Message, DateTimeOffset CreatedAt);

/// <summary>One ThinkGuide session in an export, with every step.</summary>
public sealed record ExportedThinkGuideSession(ThinkGuideSession Session, IReadOnlyList<ThinkGuideStep> Steps);

/// <summary><c>GET /org/v1/learners/{learnerId}/export</c>: everything held about the learner, as one document.</summary>
public sealed record LearnerExport(string LearnerId, string OrgId, DateTimeOffset ExportedAt, LearnerAccessibility? Accessibility,
    IReadOnlyList<ExportedThinkGuideSession> ThinkguideSessions, IReadOnlyList<ExportedChatSession> ChatSessions);
