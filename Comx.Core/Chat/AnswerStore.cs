using Azure;
using Azure.Data.Tables;
using Comx.Core.Http;
using Comx.Core.Storage;

namespace Comx.Core.Chat;

/// <summary>A passage an answer cites (api.md: source_id, title, url?, snippet).</summary>
public sealed record Citation(string SourceId, string Title, string? Url, string Snippet);

/// <summary>A stored answer; its id alone grants read access, so ids are long random strings.</summary>
public sealed record StoredAnswer(string AnswerId, string OrgId, string Question, string Text, IReadOnlyList<Citation> Citations, double Confidence,
    bool Fallback, DateTimeOffset CreatedAt, AnswerFeedback? Feedback = null);

/// <summary>The visitor's rating of an answer; a later vote replaces it.</summary>
public sealed record AnswerFeedback(bool Helpful, string? Comment, string SessionId, DateTimeOffset At);

/// <summary>
/// Answers by id (<c>GET /public/v1/answers/{answerId}</c>), one row each. A chat answer is stored in its organisation's
/// partition of the conversations table, as row <c>a|{answerId}</c>, so it commits in the same transaction as the
/// messages that carry it (one storage round trip fewer per message, and never a bot message whose answer is missing).
/// Its id (<see cref="NewId"/>) therefore ends with the organisation's id: <c>ans_{random}.{orgId}</c>, opaque to
/// clients and still unguessable. Ids without that suffix (answers stored before) are rows of the answers table.
/// </summary>
public sealed class AnswerStore(ComxStorage storage, IdGenerator ids)
{
    private const string Row = "answer";
    private const string RowPrefix = "a|";

    private TableClient Table => storage.Table(StorageNames.Tables.Answers);

    private TableClient Conversations => storage.Table(StorageNames.Tables.Conversations);

    /// <summary>A new answer id that says where the answer is stored (see the class remarks).</summary>
    public string NewId(string orgId)
    {
        var id = ids.New("ans") + "." + orgId;
        return StorageKeys.IsSafeKey(id) ? id : ids.New("ans");
    }

    /// <summary>
    /// The row of an answer whose id came from <see cref="NewId"/>, to add in the transaction that writes its messages
    /// (<c>ThreadWrite.Rows</c>); null for an id of the answers table, which <see cref="AddAsync"/> stores instead.
    /// </summary>
    public static ITableEntity? RowFor(StoredAnswer answer)
    {
        ArgumentNullException.ThrowIfNull(answer);
        return OrgOf(answer.AnswerId) == answer.OrgId ? Entity(answer, answer.OrgId, RowPrefix + answer.AnswerId) : null;
    }

    public async Task AddAsync(StoredAnswer answer, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(answer);
        if (RowFor(answer) is { } row)
        {
            await Conversations.AddEntityAsync(row, cancellationToken);
            return;
        }

        await Table.AddEntityAsync(Entity(answer, answer.AnswerId, Row), cancellationToken);
    }

    private static AnswerEntity Entity(StoredAnswer answer, string partition, string row) => new()
    {
        PartitionKey = partition,
        RowKey = row,
        OrgId = answer.OrgId,
        Question = answer.Question,
        Text = answer.Text,
        Citations = ComxJson.Serialize(answer.Citations),
        Confidence = answer.Confidence,
        Fallback = answer.Fallback,
        CreatedAt = answer.CreatedAt,
    };

    /// <summary>The organisation named by an answer id of <see cref="NewId"/>'s form; null for other ids.</summary>
    private static string? OrgOf(string answerId) =>
        answerId.IndexOf('.', StringComparison.Ordinal) is var dot and > 0 && dot < answerId.Length - 1 ? answerId[(dot + 1)..] : null;

    private (TableClient Table, string Partition, string Row) Locate(string answerId) =>
        OrgOf(answerId) is { } orgId ? (Conversations, orgId, RowPrefix + answerId) : (Table, answerId, Row);

    public async Task<StoredAnswer?> GetAsync(string answerId, CancellationToken cancellationToken = default)
    {
        if (!StorageKeys.IsSafeKey(answerId))
        {
            return null;
        }

        var (table, partition, row) = Locate(answerId);
        var entity = await table.GetEntityIfExistsAsync<AnswerEntity>(partition, row, cancellationToken: cancellationToken);
        if (!entity.HasValue)
        {
            return null;
        }

        var e = entity.Value!;
        var feedback = e.Helpful is { } helpful ? new AnswerFeedback(helpful, e.FeedbackComment is { Length: > 0 } c ? c : null, e.FeedbackSessionId ?? "", e.FeedbackAt ?? e.CreatedAt) : null;
        return new StoredAnswer(answerId, e.OrgId, e.Question, e.Text, ComxJson.Deserialize<List<Citation>>(e.Citations) ?? [], e.Confidence, e.Fallback, e.CreatedAt, feedback);
    }

    /// <summary>Stores the visitor's vote with the answer, replacing an earlier one (a merge: the answer itself is untouched).</summary>
    public async Task SetFeedbackAsync(string answerId, AnswerFeedback feedback, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(feedback);
        var (table, partition, row) = Locate(answerId);
        await table.UpdateEntityAsync(new TableEntity(partition, row)
        {
            [nameof(AnswerEntity.Helpful)] = feedback.Helpful,
            // Empty rather than null: a merge leaves a null property as it was, and a new vote without a comment must clear the old one.
            [nameof(AnswerEntity.FeedbackComment)] = feedback.Comment ?? "",
            [nameof(AnswerEntity.FeedbackSessionId)] = feedback.SessionId,
            [nameof(AnswerEntity.FeedbackAt)] = feedback.At,
        }, ETag.All, TableUpdateMode.Merge, cancellationToken);
    }

    /// <summary>Deletes an answer (and the feedback stored with it); true when it existed.</summary>
    public Task<bool> DeleteAsync(string answerId, CancellationToken cancellationToken = default)
    {
        if (!StorageKeys.IsSafeKey(answerId))
        {
            return Task.FromResult(false);
        }

        var (table, partition, row) = Locate(answerId);
        return TableBatches.DeleteOneAsync(table, partition, row, cancellationToken);
    }

    internal sealed class AnswerEntity : ITableEntity
    {
        public string PartitionKey { get; set; } = "";

        public string RowKey { get; set; } = "";

        public DateTimeOffset? Timestamp { get; set; }

        public ETag ETag { get; set; }

        public string OrgId { get; set; } = "";

        public string Question { get; set; } = "";

        public string Text { get; set; } = "";

        public string Citations { get; set; } = "[]";

        public double Confidence { get; set; }

        public bool Fallback { get; set; }

        public DateTimeOffset CreatedAt { get; set; }

        public bool? Helpful { get; set; }

        public string? FeedbackComment { get; set; }

        public string? FeedbackSessionId { get; set; }

        public DateTimeOffset? FeedbackAt { get; set; }
    }
}
