using Azure;
using Azure.Data.Tables;
using Comx.Core.Events;
using Comx.Core.Http;
using Comx.Core.Storage;

namespace Comx.Core.Inbox;

/// <summary>
/// Threads and their messages, in one table partitioned by organisation. Row kinds: <c>t|thread</c> (the thread),
/// <c>i|bucket|newest-first time|thread</c> (listing rows for "all" and for the thread's status, so the inbox lists by
/// status and recency with one range query) and <c>m|thread|message</c> (messages, ids sortable by time). Every change
/// to a thread is one entity-group transaction through <see cref="EventStore.SubmitAsync"/>: the thread (ETag-checked),
/// its listing rows, new messages and the events it raises (the outbox's <c>o|event</c> rows) commit together or not at all.
/// </summary>
public sealed class ConversationStore(ComxStorage storage, EventStore events, IdGenerator ids, TimeProvider time)
{
    public const int PreviewLength = 140;
    private const int MaxAttempts = 10;

    private TableClient Table => storage.Table(StorageNames.Tables.Conversations);

    public async Task<ThreadRecord?> GetThreadAsync(string orgId, string threadId, CancellationToken cancellationToken = default)
    {
        if (!StorageKeys.IsSafeKey(threadId))
        {
            return null;
        }

        var entity = await Table.GetEntityIfExistsAsync<ThreadEntity>(orgId, ThreadKey(threadId), cancellationToken: cancellationToken);
        return entity.HasValue ? entity.Value!.ToRecord() : null;
    }

    /// <summary>
    /// Adds messages and events to a thread and applies a change, atomically. <paramref name="decide"/> sees the current
    /// thread and returns the change (or null to abort: nothing is written and null is returned); a concurrent writer
    /// makes it run again on the fresh thread. A chat session's thread is created by its first write
    /// (<paramref name="createForSession"/>), so the inbox never lists conversations nobody started.
    /// </summary>
    public async Task<(ThreadRecord Thread, IReadOnlyList<MessageRecord> Messages)?> WriteAsync(string orgId, string threadId,
        Func<ThreadRecord, ThreadWrite?> decide, string? createForSession = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(decide);
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var existing = await Table.GetEntityIfExistsAsync<ThreadEntity>(orgId, ThreadKey(threadId), cancellationToken: cancellationToken);
            if (!existing.HasValue && createForSession is null)
            {
                return null;
            }

            var isNew = !existing.HasValue;
            var created = time.GetUtcNow();
            var entity = existing.HasValue ? existing.Value! : new ThreadEntity
            {
                PartitionKey = orgId,
                RowKey = ThreadKey(threadId),
                SessionId = createForSession!,
                Status = nameof(ThreadStatus.Open),
                CreatedAt = created,
                LastMessageAt = created,
                Preview = "",
            };
            var before = entity.ToRecord();
            if (decide(before) is not { } write)
            {
                return null;
            }

            var now = time.GetUtcNow();
            var messages = new List<MessageRecord>();
            var messageTime = now > before.LastMessageAt ? now : before.LastMessageAt.AddMilliseconds(1);
            foreach (var message in write.Messages)
            {
                messages.Add(new MessageRecord(ids.NewSortable("msg", messageTime), threadId, message.Role, message.Text, message.AnswerId, message.AuthorId, messageTime));
                messageTime = messageTime.AddMilliseconds(1);
            }

            Apply(entity, write.Change, messages);
            var after = entity.ToRecord();
            var actions = new List<TableTransactionAction>
            {
                isNew ? new(TableTransactionActionType.Add, entity) : new(TableTransactionActionType.UpdateReplace, entity, entity.ETag),
            };
            var oldRows = isNew ? [] : IndexRows(orgId, before).ToList();
            var newRows = IndexRows(orgId, after).ToList();
            foreach (var old in oldRows.Where(o => newRows.All(n => n.RowKey != o.RowKey)))
            {
                actions.Add(new(TableTransactionActionType.Delete, old, ETag.All));
            }

            actions.AddRange(newRows.Select(n => new TableTransactionAction(TableTransactionActionType.UpsertReplace, n)));
            actions.AddRange(messages.Select(m => new TableTransactionAction(TableTransactionActionType.Add, MessageEntity.From(orgId, m))));
            try
            {
                await events.SubmitAsync(Table, orgId, actions, write.Events, cancellationToken);
                return (after, messages);
            }
            catch (TableTransactionFailedException e) when (e.Status is 412 or 409 or 404)
            {
                await Task.Delay(Random.Shared.Next(1, 10 + (attempt * 10)), cancellationToken);
            }
        }

        throw new InvalidOperationException($"Thread {threadId} stayed contended after {MaxAttempts} attempts.");
    }

    /// <summary>Threads newest first, optionally of one status and with activity since a time.</summary>
    public async Task<ListPage<ThreadRecord>> ListThreadsAsync(string orgId, ThreadStatus? status, DateTimeOffset? since, PageRequest page,
        CancellationToken cancellationToken = default)
    {
        var bucket = status?.ToString().ToLowerInvariant() ?? "all";
        var lower = $"i|{bucket}|";
        var upper = since is { } s ? $"i|{bucket}|{StorageKeys.NewestFirst(s)}|~" : $"i|{bucket}}}";
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {orgId} and RowKey ge {lower} and RowKey lt {upper}");
        var rows = await Table.QueryPageAsync<IndexEntity>(filter, page, cancellationToken: cancellationToken);
        return new ListPage<ThreadRecord>([.. rows.Data.Select(r => r.ToRecord())], rows.NextCursor);
    }

    /// <summary>A thread's messages, oldest first, after a message id when given.</summary>
    public async Task<IReadOnlyList<MessageRecord>> ListMessagesAsync(string orgId, string threadId, string? afterMessageId, int limit,
        CancellationToken cancellationToken = default)
    {
        var prefix = $"m|{threadId}|";
        var lower = afterMessageId is null ? prefix : prefix + afterMessageId;
        var op = afterMessageId is null ? "ge" : "gt";
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {orgId} and RowKey lt {prefix + "~"}") +
            $" and RowKey {op} '{lower.Replace("'", "''", StringComparison.Ordinal)}'";
        var messages = new List<MessageRecord>();
        await foreach (var entity in Table.QueryAsync<MessageEntity>(filter, maxPerPage: Math.Min(limit, 1000), cancellationToken: cancellationToken))
        {
            messages.Add(entity.ToRecord());
            if (messages.Count >= limit)
            {
                break;
            }
        }

        return messages;
    }

    /// <summary>Adds rows of the organisation's partition (an enquiry, say) together with the events they raise, atomically.</summary>
    public async Task AddWithEventsAsync(string orgId, IReadOnlyList<ITableEntity> rows, IReadOnlyList<EventRecord> raised, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(raised);
        await events.SubmitAsync(Table, orgId, rows.Select(r => new TableTransactionAction(TableTransactionActionType.Add, r)), raised, cancellationToken);
    }

    /// <summary>Rows of one kind (a RowKey prefix such as <c>e|</c>) in the organisation's partition, one page.</summary>
    public Task<ListPage<T>> ListRowsAsync<T>(string orgId, string prefix, PageRequest page, CancellationToken cancellationToken = default)
        where T : class, ITableEntity =>
        Table.QueryPageAsync<T>(TableClient.CreateQueryFilter($"PartitionKey eq {orgId} and RowKey ge {prefix} and RowKey lt {prefix + "~"}"), page, cancellationToken: cancellationToken);

    private static void Apply(ThreadEntity entity, ThreadChange? change, IReadOnlyList<MessageRecord> messages)
    {
        if (messages.Count > 0)
        {
            entity.MessageCount += messages.Count;
            entity.LastMessageAt = messages[^1].CreatedAt;
            var text = messages[^1].Text.ReplaceLineEndings(" ");
            entity.Preview = text.Length > PreviewLength ? text[..(PreviewLength - 1)] + "…" : text;
        }

        if (change is null)
        {
            return;
        }

        if (change.Status is { } status)
        {
            entity.Status = status.ToString();
        }

        entity.SafeguardingFlag |= change.SafeguardingFlag ?? false;
        entity.HandoffId = change.HandoffId ?? entity.HandoffId;
        entity.HandoffReason = change.HandoffReason ?? entity.HandoffReason;
        entity.HandoffRequestedBy = change.HandoffRequestedBy ?? entity.HandoffRequestedBy;
        entity.HandoffAssignee = change.HandoffAssignee ?? entity.HandoffAssignee;
        entity.ResolvedAt = change.ResolvedAt ?? entity.ResolvedAt;
        entity.ResolvedBy = change.ResolvedBy ?? entity.ResolvedBy;
    }

    private static string ThreadKey(string threadId) => "t|" + threadId;

    private static IEnumerable<IndexEntity> IndexRows(string orgId, ThreadRecord thread)
    {
        foreach (var bucket in new[] { "all", thread.Status.ToString().ToLowerInvariant() })
        {
            yield return IndexEntity.From(orgId, $"i|{bucket}|{StorageKeys.NewestFirst(thread.LastMessageAt)}|{thread.ThreadId}", thread);
        }
    }

    internal sealed class ThreadEntity : ITableEntity
    {
        public string PartitionKey { get; set; } = "";

        public string RowKey { get; set; } = "";

        public DateTimeOffset? Timestamp { get; set; }

        public ETag ETag { get; set; }

        public string SessionId { get; set; } = "";

        public string Status { get; set; } = "";

        public DateTimeOffset CreatedAt { get; set; }

        public DateTimeOffset LastMessageAt { get; set; }

        public string Preview { get; set; } = "";

        public bool SafeguardingFlag { get; set; }

        public int MessageCount { get; set; }

        public string? HandoffId { get; set; }

        public string? HandoffReason { get; set; }

        public string? HandoffRequestedBy { get; set; }

        public string? HandoffAssignee { get; set; }

        public DateTimeOffset? ResolvedAt { get; set; }

        public string? ResolvedBy { get; set; }

        public ThreadRecord ToRecord() => new(RowKey[2..], SessionId, Enum.Parse<ThreadStatus>(Status), CreatedAt, LastMessageAt, Preview,
            SafeguardingFlag, MessageCount, HandoffId, HandoffReason, HandoffRequestedBy, HandoffAssignee, ResolvedAt, ResolvedBy);
    }

    /// <summary>A listing row: a copy of the fields the inbox list shows, so listing needs no second read.</summary>
    internal sealed class IndexEntity : ITableEntity
    {
        public string PartitionKey { get; set; } = "";

        public string RowKey { get; set; } = "";

        public DateTimeOffset? Timestamp { get; set; }

        public ETag ETag { get; set; }

        public string Thread { get; set; } = "";

        public static IndexEntity From(string orgId, string rowKey, ThreadRecord thread) => new()
        {
            PartitionKey = orgId,
            RowKey = rowKey,
            Thread = ComxJson.Serialize(thread),
        };

        public ThreadRecord ToRecord() => ComxJson.Deserialize<ThreadRecord>(Thread)!;
    }

    internal sealed class MessageEntity : ITableEntity
    {
        public string PartitionKey { get; set; } = "";

        public string RowKey { get; set; } = "";

        public DateTimeOffset? Timestamp { get; set; }

        public ETag ETag { get; set; }

        public string Role { get; set; } = "";

        public string Text { get; set; } = "";

        public string? AnswerId { get; set; }

        public string? AuthorId { get; set; }

        public DateTimeOffset CreatedAt { get; set; }

        public static MessageEntity From(string orgId, MessageRecord message) => new()
        {
            PartitionKey = orgId,
            RowKey = $"m|{message.ThreadId}|{message.MessageId}",
            Role = message.Role.ToString(),
            Text = message.Text,
            AnswerId = message.AnswerId,
            AuthorId = message.AuthorId,
            CreatedAt = message.CreatedAt,
        };

        public MessageRecord ToRecord()
        {
            var parts = RowKey.Split('|');
            return new MessageRecord(parts[2], parts[1], Enum.Parse<MessageRole>(Role), Text, AnswerId, AuthorId, CreatedAt);
        }
    }
}

/// <summary>A write to a thread: messages to add, a change to apply, events to raise.</summary>
public sealed record ThreadWrite(IReadOnlyList<NewMessage> Messages, ThreadChange? Change, IReadOnlyList<EventRecord> Events);

