using System.Collections.Concurrent;
using Azure;
using Azure.Data.Tables;
using Comx.Core.Http;
using Comx.Core.Storage;

namespace Comx.Core.Events;

/// <summary>
/// The outbox: events waiting for the dispatcher, as rows <c>o|{eventId}</c> in the organisation's partition of an outbox
/// table. Table Storage transactions span one partition of one table, so a store that must commit its state and its events
/// atomically writes both into its own table through <see cref="SubmitAsync"/> (that table is then listed in
/// <see cref="OutboxTables"/>); events about state that lives elsewhere (an ingest job, an action) go to the
/// <c>events</c> table through <see cref="AddAsync"/>, written before the state is marked final and with an id derived
/// from that state, so a crash in between re-raises the same event and the re-raise is a no-op.
/// Before a write with events the organisation is marked pending (the sweeper's work list); after it a dispatch message
/// is queued (the fast path, not waited for: <see cref="DispatchSignals"/>). If the process dies in between, the sweeper still finds the events.
/// The marker is written once per <see cref="MarkReuse"/> per organisation and instance, not on every write: the
/// dispatcher clears a marker only when it is <see cref="EventDispatcher.PendingGrace"/> old, and lists the outbox after
/// reading it, so an event committed while the marker this instance wrote is younger than that is still found (a write
/// that commits later than <see cref="CommitMargin"/> before that marks again). A classroom's burst of chat messages on
/// one organisation thus costs one marker write, not one per message (issue 21).
/// </summary>
public sealed class EventStore(ComxStorage storage, DispatchSignals signals, TimeProvider time)
{
    /// <summary>Every table that may hold outbox rows; the dispatcher reads them all.</summary>
    public static readonly IReadOnlyList<string> OutboxTables = [StorageNames.Tables.Events, StorageNames.Tables.Conversations];

    private const string RowPrefix = "o|";

    // Marker partition of the events table; '!' never starts an organisation id.
    private const string PendingPartition = "!pending";

    /// <summary>How long this instance relies on a pending marker it wrote instead of writing it again.</summary>
    public static readonly TimeSpan MarkReuse = EventDispatcher.PendingGrace / 2;

    /// <summary>A commit this close to the marker's grace running out marks again (clock skew between instances, a slow commit).</summary>
    public static readonly TimeSpan CommitMargin = TimeSpan.FromSeconds(5);

    // The MarkedAt this instance last wrote for each organisation's marker.
    private readonly ConcurrentDictionary<string, DateTimeOffset> _marked = new(StringComparer.Ordinal);

    private TableClient Events => storage.Table(StorageNames.Tables.Events);

    /// <summary>
    /// Commits <paramref name="actions"/> (rows of the organisation's partition of <paramref name="table"/>) and
    /// <paramref name="events"/> in one entity-group transaction. Transaction failures (a lost ETag race, say) surface
    /// as <see cref="TableTransactionFailedException"/> with nothing written.
    /// </summary>
    public async Task SubmitAsync(TableClient table, string orgId, IEnumerable<TableTransactionAction> actions, IReadOnlyList<EventRecord> events,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(events);
        if (events.Count > 0 && !OutboxTables.Contains(table.Name, StringComparer.Ordinal))
        {
            throw new ArgumentException($"Table {table.Name} is not an outbox table; add it to {nameof(EventStore)}.{nameof(OutboxTables)}.", nameof(table));
        }

        var markedAt = events.Count > 0 ? await EnsureMarkedAsync(orgId, cancellationToken) : default;
        await table.SubmitTransactionAsync([.. actions, .. events.Select(e => new TableTransactionAction(TableTransactionActionType.Add, OutboxEntity.From(orgId, e)))],
            cancellationToken);
        if (events.Count > 0)
        {
            await AfterCommitAsync(orgId, markedAt, cancellationToken);
        }
    }

    /// <summary>Raises events on their own (the events table). An event whose id is already in the outbox is not added twice.</summary>
    public async Task AddAsync(string orgId, IReadOnlyList<EventRecord> events, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(events);
        var markedAt = await EnsureMarkedAsync(orgId, cancellationToken);
        foreach (var e in events)
        {
            try
            {
                await Events.AddEntityAsync(OutboxEntity.From(orgId, e), cancellationToken);
            }
            catch (RequestFailedException ex) when (ex.Status == 409)
            {
            }
        }

        await AfterCommitAsync(orgId, markedAt, cancellationToken);
    }

    /// <summary>Outbox events not yet dispatched, from every outbox table.</summary>
    public async Task<IReadOnlyList<StoredEvent>> ListAsync(string orgId, int limit, CancellationToken cancellationToken = default)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {orgId} and RowKey ge {RowPrefix} and RowKey lt {"o}"}");
        var events = new List<StoredEvent>();
        foreach (var table in OutboxTables)
        {
            await foreach (var entity in storage.Table(table).QueryAsync<OutboxEntity>(filter, maxPerPage: limit, cancellationToken: cancellationToken))
            {
                events.Add(new StoredEvent(entity.RowKey[RowPrefix.Length..], entity.Type, entity.CreatedAt, entity.Data) { Table = table });
                if (events.Count >= limit)
                {
                    return events;
                }
            }
        }

        return events;
    }

    /// <summary>Removes a dispatched event from the outbox.</summary>
    public async Task RemoveAsync(string orgId, StoredEvent stored, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stored);
        try
        {
            await storage.Table(stored.Table).DeleteEntityAsync(orgId, RowPrefix + stored.EventId, ETag.All, cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
        }
    }

    /// <summary>
    /// Deletes the organisation's outbox rows, in every table that holds them, that <paramref name="match"/> accepts (an
    /// erasure removes events naming a learner before they are dispatched); returns how many went.
    /// </summary>
    public async Task<int> DeleteWhereAsync(string orgId, Func<TableEntity, bool> match, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(match);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {orgId} and RowKey ge {RowPrefix} and RowKey lt {"o}"}");
        var removed = 0;
        foreach (var name in OutboxTables)
        {
            var table = storage.Table(name);
            var doomed = new List<ITableEntity>();
            await foreach (var row in table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
            {
                if (match(row))
                {
                    doomed.Add(row);
                }
            }

            await TableBatches.DeleteAsync(table, doomed, cancellationToken);
            removed += doomed.Count;
        }

        return removed;
    }

    /// <summary>Organisations with outbox events that may not have been dispatched yet (the sweeper's work list).</summary>
    public async Task<IReadOnlyList<string>> ListPendingOrgsAsync(CancellationToken cancellationToken = default)
    {
        var orgs = new List<string>();
        await foreach (var marker in Events.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {PendingPartition}"), cancellationToken: cancellationToken))
        {
            orgs.Add(marker.RowKey);
        }

        return orgs;
    }

    /// <summary>An organisation's pending marker (its ETag and when it was last set), or null when there is none.</summary>
    public async Task<(ETag ETag, DateTimeOffset MarkedAt)?> GetPendingAsync(string orgId, CancellationToken cancellationToken = default)
    {
        var marker = await Events.GetEntityIfExistsAsync<TableEntity>(PendingPartition, orgId, cancellationToken: cancellationToken);
        return marker.HasValue ? (marker.Value!.ETag, marker.Value.GetDateTimeOffset("MarkedAt") ?? DateTimeOffset.MinValue) : null;
    }

    /// <summary>Clears an organisation's marker, unless a writer marked it again since it was read (ETag).</summary>
    public async Task ClearPendingAsync(string orgId, ETag etag, CancellationToken cancellationToken = default)
    {
        try
        {
            await Events.DeleteEntityAsync(PendingPartition, orgId, etag, cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status is 404 or 412)
        {
        }
    }

    /// <summary>The MarkedAt of a marker this instance wrote recently enough to rely on, or of one it writes now.</summary>
    private async Task<DateTimeOffset> EnsureMarkedAsync(string orgId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        return _marked.TryGetValue(orgId, out var marked) && now >= marked && now - marked < MarkReuse
            ? marked
            : await MarkPendingAsync(orgId, cancellationToken);
    }

    private async Task AfterCommitAsync(string orgId, DateTimeOffset markedAt, CancellationToken cancellationToken)
    {
        if (time.GetUtcNow() - markedAt >= EventDispatcher.PendingGrace - CommitMargin)
        {
            // A dispatcher may clear that marker soon without having seen this commit's events: mark again.
            await MarkPendingAsync(orgId, cancellationToken);
        }

        signals.Signal(orgId);
    }

    private async Task<DateTimeOffset> MarkPendingAsync(string orgId, CancellationToken cancellationToken)
    {
        var markedAt = time.GetUtcNow();
        await Events.UpsertEntityAsync(new TableEntity(PendingPartition, orgId) { ["MarkedAt"] = markedAt }, TableUpdateMode.Replace, cancellationToken);
        _marked.AddOrUpdate(orgId, markedAt, (_, earlier) => earlier > markedAt ? earlier : markedAt);
        return markedAt;
    }

    internal sealed class OutboxEntity : ITableEntity
    {
        public string PartitionKey { get; set; } = "";

        public string RowKey { get; set; } = "";

        public DateTimeOffset? Timestamp { get; set; }

        public ETag ETag { get; set; }

        public string Type { get; set; } = "";

        public DateTimeOffset CreatedAt { get; set; }

        /// <summary>The full delivery body, serialised once when the event is raised.</summary>
        public string Data { get; set; } = "";

        public static OutboxEntity From(string orgId, EventRecord e) => new()
        {
            PartitionKey = orgId,
            RowKey = RowPrefix + e.EventId,
            Type = e.Type,
            CreatedAt = e.CreatedAt,
            Data = ComxJson.Serialize(new EventEnvelope(e.EventId, e.Type, e.CreatedAt, orgId, e.Data)),
        };
    }
}
