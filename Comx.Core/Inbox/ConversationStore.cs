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
    /// The thread (null when it has not started) as a snapshot to hand to <see cref="WriteAsync(string, string, Func{ThreadRecord, ThreadWrite?}, string?, ThreadSnapshot?, CancellationToken)"/>,
    /// so a handler that reads the thread before writing to it makes one read, not two.
    /// </summary>
    public async Task<ThreadSnapshot> ReadThreadAsync(string orgId, string threadId, CancellationToken cancellationToken = default)
    {
        if (!StorageKeys.IsSafeKey(threadId))
        {
            return new ThreadSnapshot(orgId, threadId, null);
        }

        var entity = await Table.GetEntityIfExistsAsync<ThreadEntity>(orgId, ThreadKey(threadId), cancellationToken: cancellationToken);
        return new ThreadSnapshot(orgId, threadId, entity.HasValue ? entity.Value : null);
    }

    public Task<(ThreadRecord Thread, IReadOnlyList<MessageRecord> Messages)?> WriteAsync(string orgId, string threadId,
        Func<ThreadRecord, ThreadWrite?> decide, string? createForSession = null, CancellationToken cancellationToken = default) =>
        WriteAsync(orgId, threadId, decide, createForSession, null, cancellationToken);

    /// <summary>
    /// Adds messages and events to a thread and applies a change, atomically. <paramref name="decide"/> sees the current
    /// thread and returns the change (or null to abort: nothing is written and null is returned); a concurrent writer
    /// makes it run again on the fresh thread. A chat session's thread is created by its first write
    /// (<paramref name="createForSession"/>), so the inbox never lists conversations nobody started.
    /// <c>known</c> is the thread as the caller just read it (<see cref="ReadThreadAsync"/>): the first attempt starts
    /// from it instead of reading again; its ETag still guards the write, so a change since then only costs a retry.
    /// </summary>
    public async Task<(ThreadRecord Thread, IReadOnlyList<MessageRecord> Messages)?> WriteAsync(string orgId, string threadId,
        Func<ThreadRecord, ThreadWrite?> decide, string? createForSession, ThreadSnapshot? known, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(decide);
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var existing = attempt == 0 && known is not null && known.OrgId == orgId && known.ThreadId == threadId
                ? known.TakeEntity()
                : await ReadEntityAsync(orgId, threadId, cancellationToken);
            if (existing is null && createForSession is null)
            {
                return null;
            }

            var isNew = existing is null;
            var created = time.GetUtcNow();
            var entity = existing ?? new ThreadEntity
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
            IReadOnlyList<EventRecord> raised = write.EventsForMessages is { } eventsFor ? [.. write.Events, .. eventsFor(messages)] : write.Events;
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
            actions.AddRange(write.Rows.Select(r => new TableTransactionAction(TableTransactionActionType.Add, r)));
            try
            {
                await events.SubmitAsync(Table, orgId, actions, raised, cancellationToken);
                return (after, messages);
            }
            catch (TableTransactionFailedException e) when (e.Status is 412 or 409 or 404)
            {
                await Task.Delay(Random.Shared.Next(1, 10 + (attempt * 10)), cancellationToken);
            }
        }

        throw new InvalidOperationException($"Thread {threadId} stayed contended after {MaxAttempts} attempts.");
    }

    private async Task<ThreadEntity?> ReadEntityAsync(string orgId, string threadId, CancellationToken cancellationToken)
    {
        var entity = await Table.GetEntityIfExistsAsync<ThreadEntity>(orgId, ThreadKey(threadId), cancellationToken: cancellationToken);
        return entity.HasValue ? entity.Value : null;
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

    /// <summary>Threads whose last message is strictly before <paramref name="cutoff"/> (retention), read from the "all" listing rows.</summary>
    public async Task<IReadOnlyList<ThreadRecord>> ListThreadsInactiveSinceAsync(string orgId, DateTimeOffset cutoff, CancellationToken cancellationToken = default)
    {
        // Listing keys sort newest first: a thread last active at the cutoff itself sorts before "{cutoff}|~", older ones after.
        var lower = $"i|all|{StorageKeys.NewestFirst(cutoff)}|~";
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {orgId} and RowKey gt {lower} and RowKey lt {"i|all}"}");
        var threads = new List<ThreadRecord>();
        await foreach (var row in Table.QueryAsync<IndexEntity>(filter, cancellationToken: cancellationToken))
        {
            threads.Add(row.ToRecord());
        }

        return threads;
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

    /// <summary>True when the message is one of this thread's.</summary>
    public async Task<bool> HasMessageAsync(string orgId, string threadId, string messageId, CancellationToken cancellationToken = default)
    {
        if (!StorageKeys.IsSafeKey(threadId) || !StorageKeys.IsSafeKey(messageId))
        {
            return false;
        }

        var entity = await Table.GetEntityIfExistsAsync<TableEntity>(orgId, $"m|{threadId}|{messageId}", select: ["RowKey"], cancellationToken: cancellationToken);
        return entity.HasValue;
    }

    /// <summary>True when a bot message of this thread carried the answer (so the thread's visitor was given it).</summary>
    public async Task<bool> HasAnswerAsync(string orgId, string threadId, string answerId, CancellationToken cancellationToken = default)
    {
        var prefix = $"m|{threadId}|";
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {orgId} and RowKey gt {prefix} and RowKey lt {prefix + "~"} and AnswerId eq {answerId}");
        await foreach (var _ in Table.QueryAsync<TableEntity>(filter, maxPerPage: 1, select: ["RowKey"], cancellationToken: cancellationToken))
        {
            return true;
        }

        return false;
    }

    /// <summary>
    /// Deletes a thread: its messages, its listing rows, then the thread row itself (last, so a run cut short is found
    /// and finished by the next). Returns how many message rows went. Nothing of a missing thread is an error.
    /// </summary>
    public async Task<int> DeleteThreadAsync(string orgId, string threadId, CancellationToken cancellationToken = default)
    {
        var messages = await DeleteRowsAsync(orgId, $"m|{threadId}|", _ => true, cancellationToken);
        // Listing rows end with the thread id; the bucket and time in front of it are whatever the thread last had.
        await DeleteRowsAsync(orgId, "i|", row => row.RowKey.EndsWith("|" + threadId, StringComparison.Ordinal), cancellationToken);
        await DeleteRowsAsync(orgId, ThreadKey(threadId), row => row.RowKey == ThreadKey(threadId), cancellationToken);
        return messages;
    }

    /// <summary>Deletes rows of the organisation's partition under a RowKey prefix that <paramref name="match"/> accepts; returns how many.</summary>
    private async Task<int> DeleteRowsAsync(string orgId, string prefix, Func<TableEntity, bool> match, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(match);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {orgId} and RowKey ge {prefix} and RowKey lt {prefix + "~"}");
        var doomed = new List<TableEntity>();
        await foreach (var row in Table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
        {
            if (match(row))
            {
                doomed.Add(row);
            }
        }

        await TableBatches.DeleteAsync(Table, doomed, cancellationToken);
        return doomed.Count;
    }

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
        entity.HandoffAssignee = change.Assignee is { } assignee ? assignee.UserId : change.HandoffAssignee ?? entity.HandoffAssignee;
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
/// <summary>
/// One atomic write to a thread. <paramref name="EventsForMessages"/> builds events that must name the messages
/// written (their ids are assigned by the store), committed in the same transaction.
/// </summary>
public sealed record ThreadWrite(IReadOnlyList<NewMessage> Messages, ThreadChange? Change, IReadOnlyList<EventRecord> Events,
    Func<IReadOnlyList<MessageRecord>, IReadOnlyList<EventRecord>>? EventsForMessages = null)
{
    /// <summary>Other new rows of the organisation's partition committed with the messages (a chat answer, say: the answer store gives its row).</summary>
    public IReadOnlyList<ITableEntity> Rows { get; init; } = [];
}

/// <summary>The body of every event delivery (api.md): <c>{"id","type","created_at","org_id","data"}</c>.</summary>
public sealed record EventEnvelope(string Id, string Type, DateTimeOffset CreatedAt, string OrgId, object Data);

/// <summary>A thread as read for a following write (<see cref="ConversationStore.ReadThreadAsync"/>); used by one write at most.</summary>
public sealed class ThreadSnapshot
{
    private ConversationStore.ThreadEntity? _entity;

    internal ThreadSnapshot(string orgId, string threadId, ConversationStore.ThreadEntity? entity)
    {
        OrgId = orgId;
        ThreadId = threadId;
        _entity = entity;
        Thread = entity?.ToRecord();
    }

    public string OrgId { get; }

    public string ThreadId { get; }

    /// <summary>Null when the thread has not started.</summary>
    public ThreadRecord? Thread { get; }

    /// <summary>The entity for the write, handed over once: the write mutates it.</summary>
    internal ConversationStore.ThreadEntity? TakeEntity() => Interlocked.Exchange(ref _entity, null);
}
