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

/// <summary>Answers by id (<c>GET /public/v1/answers/{answerId}</c>), one row each.</summary>
public sealed class AnswerStore(ComxStorage storage)
{
    private const string Row = "answer";

    private TableClient Table => storage.Table(StorageNames.Tables.Answers);

    public async Task AddAsync(StoredAnswer answer, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(answer);
        await Table.AddEntityAsync(new AnswerEntity
        {
            PartitionKey = answer.AnswerId,
            RowKey = Row,
            OrgId = answer.OrgId,
            Question = answer.Question,
            Text = answer.Text,
            Citations = ComxJson.Serialize(answer.Citations),
            Confidence = answer.Confidence,
            Fallback = answer.Fallback,
            CreatedAt = answer.CreatedAt,
        }, cancellationToken);
    }

    public async Task<StoredAnswer?> GetAsync(string answerId, CancellationToken cancellationToken = default)
    {
        if (!StorageKeys.IsSafeKey(answerId))
        {
            return null;
        }

        var entity = await Table.GetEntityIfExistsAsync<AnswerEntity>(answerId, Row, cancellationToken: cancellationToken);
        if (!entity.HasValue)
        {
            return null;
        }

        var e = entity.Value!;
        var feedback = e.Helpful is { } helpful ? new AnswerFeedback(helpful, e.FeedbackComment is { Length: > 0 } c ? c : null, e.FeedbackSessionId ?? "", e.FeedbackAt ?? e.CreatedAt) : null;
        return new StoredAnswer(e.PartitionKey, e.OrgId, e.Question, e.Text, ComxJson.Deserialize<List<Citation>>(e.Citations) ?? [], e.Confidence, e.Fallback, e.CreatedAt, feedback);
    }

    /// <summary>Stores the visitor's vote with the answer, replacing an earlier one (a merge: the answer itself is untouched).</summary>
    public async Task SetFeedbackAsync(string answerId, AnswerFeedback feedback, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(feedback);
        await Table.UpdateEntityAsync(new TableEntity(answerId, Row)
        {
            [nameof(AnswerEntity.Helpful)] = feedback.Helpful,
            // Empty rather than null: a merge leaves a null property as it was, and a new vote without a comment must clear the old one.
            [nameof(AnswerEntity.FeedbackComment)] = feedback.Comment ?? "",
            [nameof(AnswerEntity.FeedbackSessionId)] = feedback.SessionId,
            [nameof(AnswerEntity.FeedbackAt)] = feedback.At,
        }, ETag.All, TableUpdateMode.Merge, cancellationToken);
    }

    /// <summary>Deletes an answer (and the feedback stored with it); true when it existed.</summary>
    public Task<bool> DeleteAsync(string answerId, CancellationToken cancellationToken = default) =>
        StorageKeys.IsSafeKey(answerId) ? TableBatches.DeleteOneAsync(Table, answerId, Row, cancellationToken) : Task.FromResult(false);

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
