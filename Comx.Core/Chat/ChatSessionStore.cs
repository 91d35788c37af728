using System.Security.Cryptography;
using System.Text;
using Azure;
using Azure.Data.Tables;
using Comx.Core.Storage;

namespace Comx.Core.Chat;

/// <summary>A visitor's chat session. Its token is a capability: only its SHA-256 is stored.</summary>
public sealed record ChatSession(string SessionId, string OrgId, string ThreadId, string? VisitorId, string? LearnerId, string? Locale,
    DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt);

public enum SessionAccess
{
    Granted,
    Denied,
    Expired,
}

/// <summary>Chat sessions, one row each, read by id with one point read.</summary>
public sealed class ChatSessionStore(ComxStorage storage, IdGenerator ids, TimeProvider time)
{
    public const string TokenHeader = "X-Session-Token";
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(24);
    private const string Row = "session";

    private TableClient Table => storage.Table(StorageNames.Tables.ChatSessions);

    public async Task<(ChatSession Session, string Token)> CreateAsync(string orgId, string threadId, string? visitorId, string? learnerId, string? locale,
        IReadOnlyDictionary<string, string>? metadata, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var sessionId = ids.New("ses");
        var token = "cst_" + ids.Random(32);
        var entity = new SessionEntity
        {
            PartitionKey = sessionId,
            RowKey = Row,
            OrgId = orgId,
            ThreadId = threadId,
            VisitorId = visitorId,
            LearnerId = learnerId,
            Locale = locale,
            Metadata = metadata is null ? null : Http.ComxJson.Serialize(metadata),
            TokenHash = Hash(token),
            CreatedAt = now,
            ExpiresAt = now + Lifetime,
        };
        await Table.AddEntityAsync(entity, cancellationToken);
        return (entity.ToSession(), token);
    }

    /// <summary>The session if the token is its own and it has not expired. Unknown sessions and wrong tokens look the same.</summary>
    public async Task<(SessionAccess Access, ChatSession? Session)> OpenAsync(string sessionId, string? token, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrEmpty(token) || !StorageKeys.IsSafeKey(sessionId))
        {
            return (SessionAccess.Denied, null);
        }

        var entity = await Table.GetEntityIfExistsAsync<SessionEntity>(sessionId, Row, cancellationToken: cancellationToken);
        if (!entity.HasValue || !CryptographicOperations.FixedTimeEquals(Convert.FromHexString(entity.Value!.TokenHash), Convert.FromHexString(Hash(token))))
        {
            return (SessionAccess.Denied, null);
        }

        var session = entity.Value.ToSession();
        return time.GetUtcNow() >= session.ExpiresAt ? (SessionAccess.Expired, session) : (SessionAccess.Granted, session);
    }

    public async Task<ChatSession?> GetAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        if (!StorageKeys.IsSafeKey(sessionId))
        {
            return null;
        }

        var entity = await Table.GetEntityIfExistsAsync<SessionEntity>(sessionId, Row, cancellationToken: cancellationToken);
        return entity.HasValue ? entity.Value!.ToSession() : null;
    }

    /// <summary>
    /// The organisation's sessions started for a learner (data protection). Sessions are keyed by id, so this is a
    /// filtered scan of the table: rare (an export or an erasure) and complete, including sessions from before any index.
    /// </summary>
    public async Task<IReadOnlyList<ChatSession>> ListForLearnerAsync(string orgId, string learnerId, CancellationToken cancellationToken = default)
    {
        var filter = TableClient.CreateQueryFilter($"OrgId eq {orgId} and LearnerId eq {learnerId}");
        var sessions = new List<ChatSession>();
        await foreach (var entity in Table.QueryAsync<SessionEntity>(filter, cancellationToken: cancellationToken))
        {
            sessions.Add(entity.ToSession());
        }

        return sessions;
    }

    /// <summary>Deletes a session row; true when it existed.</summary>
    public Task<bool> DeleteAsync(string sessionId, CancellationToken cancellationToken = default) =>
        TableBatches.DeleteOneAsync(Table, sessionId, Row, cancellationToken);

    private static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    internal sealed class SessionEntity : ITableEntity
    {
        public string PartitionKey { get; set; } = "";

        public string RowKey { get; set; } = "";

        public DateTimeOffset? Timestamp { get; set; }

        public ETag ETag { get; set; }

        public string OrgId { get; set; } = "";

        public string ThreadId { get; set; } = "";

        public string? VisitorId { get; set; }

        public string? LearnerId { get; set; }

        public string? Locale { get; set; }

        public string? Metadata { get; set; }

        public string TokenHash { get; set; } = "";

        public DateTimeOffset CreatedAt { get; set; }

        public DateTimeOffset ExpiresAt { get; set; }

        public ChatSession ToSession() => new(PartitionKey, OrgId, ThreadId, VisitorId, LearnerId, Locale, CreatedAt, ExpiresAt);
    }
}
