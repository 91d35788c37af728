using System.Globalization;
using Azure;
using Azure.Data.Tables;
using Comx.Core.Http;
using Comx.Core.Storage;

namespace Comx.Core.ThinkGuide;

/// <summary>
/// A ThinkGuide session as stored. <c>Prompt</c> is the current prompt, the one <c>StepIndex</c> numbers; <c>Responses</c>
/// are the learner's accepted responses (possibly PII-redacted), one per stage passed.
/// </summary>
public sealed record ThinkGuideSession(
    string SessionId,
    string OrgId,
    string LearnerId,
    string Question,
    string? Subject,
    ThinkGuideStage Stage,
    int StepIndex,
    string Prompt,
    PromptSource PromptSource,
    DateTimeOffset PromptedAt,
    bool Completed,
    string? Summary,
    bool SafeguardingFlag,
    IReadOnlyList<string> Responses,
    DateTimeOffset CreatedAt,
    string CreatedBy,
    DateTimeOffset UpdatedAt,
    string UpdatedBy);

/// <summary>
/// One answered prompt. <c>RePrompted</c> is true when the response did not move the session on, with the reason
/// (<c>safeguarding</c>: the response escalated and the next prompt is the organisation's escalation message).
/// </summary>
public sealed record ThinkGuideStep(
    int StepIndex,
    ThinkGuideStage Stage,
    string Prompt,
    PromptSource PromptSource,
    string? Response,
    bool RePrompted,
    RePromptReason? RePromptReason,
    DateTimeOffset CreatedAt,
    DateTimeOffset? AnsweredAt);

/// <summary>
/// Sessions and their answered steps, in one table partitioned by organisation (so reading another organisation's
/// session id finds nothing). Row kinds: <c>s|session</c> and <c>x|session|step index (4 digits)</c>. Answering a
/// step is one entity-group transaction: the session, replaced only if its ETag is unchanged, and the new step row.
/// </summary>
public sealed class ThinkGuideStore(ComxStorage storage)
{
    private TableClient Table => storage.Table(StorageNames.Tables.ThinkGuide);

    public async Task CreateAsync(ThinkGuideSession session, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(session);
        await Table.AddEntityAsync(SessionEntity.From(session), cancellationToken);
    }

    /// <summary>The session and its ETag, or null when the organisation has no such session.</summary>
    public async Task<(ThinkGuideSession Session, ETag ETag)?> GetAsync(string orgId, string sessionId, CancellationToken cancellationToken = default)
    {
        if (!StorageKeys.IsSafeKey(sessionId))
        {
            return null;
        }

        var entity = await Table.GetEntityIfExistsAsync<SessionEntity>(orgId, SessionKey(sessionId), cancellationToken: cancellationToken);
        return entity.HasValue ? (entity.Value!.ToRecord(), entity.Value.ETag) : null;
    }

    /// <summary>Answered steps, oldest first.</summary>
    public async Task<IReadOnlyList<ThinkGuideStep>> ListStepsAsync(string orgId, string sessionId, CancellationToken cancellationToken = default)
    {
        var prefix = $"x|{sessionId}|";
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {orgId} and RowKey ge {prefix} and RowKey lt {prefix + "~"}");
        var steps = new List<ThinkGuideStep>();
        await foreach (var entity in Table.QueryAsync<StepEntity>(filter, cancellationToken: cancellationToken))
        {
            steps.Add(ComxJson.Deserialize<ThinkGuideStep>(entity.Step)!);
        }

        return steps;
    }

    /// <summary>
    /// Records an answered step and the session it leads to, if the session is still the version read
    /// (<paramref name="etag"/>) and the step was not answered already. False when another request got there first.
    /// </summary>
    public async Task<bool> TryAnswerAsync(ThinkGuideSession next, ETag etag, ThinkGuideStep answered, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(next);
        ArgumentNullException.ThrowIfNull(answered);
        try
        {
            await Table.SubmitTransactionAsync(
            [
                new TableTransactionAction(TableTransactionActionType.UpdateReplace, SessionEntity.From(next), etag),
                new TableTransactionAction(TableTransactionActionType.Add, new StepEntity
                {
                    PartitionKey = next.OrgId,
                    RowKey = StepKey(next.SessionId, answered.StepIndex),
                    Step = ComxJson.Serialize(answered),
                }),
            ], cancellationToken);
            return true;
        }
        catch (TableTransactionFailedException e) when (e.Status is 409 or 412)
        {
            return false;
        }
    }

    private static string SessionKey(string sessionId) => "s|" + sessionId;

    private static string StepKey(string sessionId, int stepIndex) => $"x|{sessionId}|{stepIndex.ToString("D4", CultureInfo.InvariantCulture)}";

    /// <summary>Every session of one learner in the organisation (data protection: export and erasure); a scan of the org's sessions.</summary>
    public async Task<IReadOnlyList<ThinkGuideSession>> ListForLearnerAsync(string orgId, string learnerId, CancellationToken cancellationToken = default)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {orgId} and RowKey ge {"s|"} and RowKey lt {"s~"}");
        var sessions = new List<ThinkGuideSession>();
        await foreach (var entity in Table.QueryAsync<SessionEntity>(filter, cancellationToken: cancellationToken))
        {
            if (entity.ToRecord() is { } session && session.LearnerId == learnerId)
            {
                sessions.Add(session);
            }
        }

        return sessions;
    }

    /// <summary>Deletes a session's steps, then the session; returns how many rows went (0 when a previous run took them).</summary>
    public async Task<int> DeleteAsync(string orgId, string sessionId, CancellationToken cancellationToken = default)
    {
        var prefix = $"x|{sessionId}|";
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {orgId} and RowKey ge {prefix} and RowKey lt {prefix + "~"}");
        var steps = new List<ITableEntity>();
        await foreach (var row in Table.QueryAsync<TableEntity>(filter, select: ["PartitionKey", "RowKey"], cancellationToken: cancellationToken))
        {
            steps.Add(row);
        }

        await TableBatches.DeleteAsync(Table, steps, cancellationToken);
        return steps.Count + (await TableBatches.DeleteOneAsync(Table, orgId, SessionKey(sessionId), cancellationToken) ? 1 : 0);
    }

    internal sealed class SessionEntity : ITableEntity
    {
        public string PartitionKey { get; set; } = "";

        public string RowKey { get; set; } = "";

        public DateTimeOffset? Timestamp { get; set; }

        public ETag ETag { get; set; }

        /// <summary>The whole record as JSON: it is read and written as one, and stays well under the 64 KiB property limit.</summary>
        public string Session { get; set; } = "";

        public static SessionEntity From(ThinkGuideSession session) => new()
        {
            PartitionKey = session.OrgId,
            RowKey = SessionKey(session.SessionId),
            Session = ComxJson.Serialize(session),
        };

        public ThinkGuideSession ToRecord() => ComxJson.Deserialize<ThinkGuideSession>(Session)!;
    }

    internal sealed class StepEntity : ITableEntity
    {
        public string PartitionKey { get; set; } = "";

        public string RowKey { get; set; } = "";

        public DateTimeOffset? Timestamp { get; set; }

        public ETag ETag { get; set; }

        public string Step { get; set; } = "";
    }
}
