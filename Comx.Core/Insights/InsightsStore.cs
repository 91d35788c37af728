using System.Globalization;
using Azure;
using Azure.Data.Tables;
using Comx.Core.Http;
using Comx.Core.Storage;

namespace Comx.Core.Insights;

/// <summary>The counters an event changes and the rows it writes, decided from the rows it read (<see cref="InsightsStore.ApplyAsync"/>).</summary>
public sealed class InsightsWrite
{
    /// <summary>Counter row key → property → amount to add (negative to take back a replaced vote).</summary>
    public Dictionary<string, Dictionary<string, long>> Counters { get; } = new(StringComparer.Ordinal);

    /// <summary>Counter row key → cited source id → (citations to add, its title), kept in the row's <c>Sources</c> JSON.</summary>
    public Dictionary<string, Dictionary<string, SourceCount>> Sources { get; } = new(StringComparer.Ordinal);

    public void Cite(string rowKey, string sourceId, string? title, long amount = 1)
    {
        if (!Sources.TryGetValue(rowKey, out var row))
        {
            Sources[rowKey] = row = new Dictionary<string, SourceCount>(StringComparer.Ordinal);
        }

        row[sourceId] = new SourceCount((row.TryGetValue(sourceId, out var prior) ? prior.Citations : 0) + amount, title);
        if (!Counters.ContainsKey(rowKey))
        {
            Counters[rowKey] = new Dictionary<string, long>(StringComparer.Ordinal);
        }
    }

    /// <summary>Rows written whole; a row that was read is replaced only if it has not changed since.</summary>
    public List<TableEntity> Puts { get; } = [];

    /// <summary>Rows merged into (created when missing).</summary>
    public List<TableEntity> Merges { get; } = [];

    public void Add(string rowKey, string property, long amount = 1)
    {
        if (!Counters.TryGetValue(rowKey, out var row))
        {
            Counters[rowKey] = row = new Dictionary<string, long>(StringComparer.Ordinal);
        }

        row[property] = row.GetValueOrDefault(property) + amount;
    }
}

/// <summary>How often a source was cited, and its title when last cited.</summary>
public sealed record SourceCount(long Citations, string? Title);

/// <summary>One unanswered question as stored: its text, when it was asked and its quantised embedding.</summary>
public sealed record UnansweredRow(string Question, DateTimeOffset AskedAt, sbyte[] Vector);

/// <summary>
/// Insights counters, in one partition per organisation of the <c>insights</c> table. Row kinds:
/// <c>c|yyyy-MM-dd|shard</c> daily counters (sharded by a hash of the event id, so concurrent events rarely meet on one row),
/// with the citations of each source in the row's <c>Sources</c> JSON (so the summary reads only these rows), <c>e|event</c> the marker that an event was counted (written in the
/// same transaction as its counters, so a redelivered event counts once), <c>v|answer</c> the answer's current vote (so a
/// changed vote moves the count instead of adding one) and <c>q|yyyy-MM-dd|answer</c> an unanswered question.
/// </summary>
public sealed class InsightsStore(ComxStorage storage)
{
    public const int Shards = 8;
    public const string CounterPrefix = "c|";
    public const string MarkerPrefix = "e|";
    public const string VotePrefix = "v|";
    public const string QuestionPrefix = "q|";
    private const int MaxAttempts = 30;
    private const string SourcesProperty = "Sources";

    /// <summary>
    /// Distinct sources kept per counter row (a day's share of one shard); beyond it new sources are not counted there,
    /// which keeps the row far under Table Storage's 64 KiB string limit.
    /// </summary>
    public const int MaxSourcesPerRow = 300;

    private static string CiteSources(string? json, Dictionary<string, SourceCount> cited)
    {
        var counts = (string.IsNullOrEmpty(json) ? null : ComxJson.Deserialize<Dictionary<string, SourceCount>>(json)) ?? new Dictionary<string, SourceCount>(StringComparer.Ordinal);
        foreach (var (sourceId, add) in cited)
        {
            if (counts.TryGetValue(sourceId, out var prior))
            {
                counts[sourceId] = new SourceCount(prior.Citations + add.Citations, add.Title ?? prior.Title);
            }
            else if (counts.Count < MaxSourcesPerRow)
            {
                counts[sourceId] = add;
            }
        }

        return ComxJson.Serialize(counts);
    }

    private TableClient Table => storage.Table(StorageNames.Tables.Insights);

    public static string Day(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>A stable shard for an event id (string.GetHashCode is randomised per process, so FNV-1a).</summary>
    public static int Shard(string eventId)
    {
        var hash = 2166136261u;
        foreach (var c in eventId)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return (int)(hash % Shards);
    }

    public static string CounterKey(DateTimeOffset at, string eventId) => $"{CounterPrefix}{Day(at)}|{Shard(eventId)}";

    public static string VoteKey(string answerId) => VotePrefix + answerId;

    public static string QuestionKey(DateTimeOffset at, string answerId) => $"{QuestionPrefix}{Day(at)}|{answerId}";

    /// <summary>
    /// Applies one event's changes exactly once: the event's marker is added in the same transaction as its counter changes,
    /// and every counter row is replaced only if unchanged since it was read (ETag), retrying on a conflict. False when the
    /// event had already been counted.
    /// </summary>
    public async Task<bool> ApplyAsync(string orgId, string eventId, DateTimeOffset at, IReadOnlyList<string> readKeys,
        Func<IReadOnlyDictionary<string, TableEntity>, InsightsWrite> plan, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(readKeys);
        ArgumentNullException.ThrowIfNull(plan);
        var markerKey = MarkerPrefix + eventId;
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            if ((await Table.GetEntityIfExistsAsync<TableEntity>(orgId, markerKey, ["RowKey"], cancellationToken)).HasValue)
            {
                return false;
            }

            var read = await ReadAsync(orgId, readKeys, cancellationToken);
            var write = plan(read);
            var counters = await ReadAsync(orgId, [.. write.Counters.Keys.Where(k => !read.ContainsKey(k))], cancellationToken);
            var actions = new List<TableTransactionAction>
            {
                new(TableTransactionActionType.Add, new TableEntity(orgId, markerKey) { ["At"] = at }),
            };
            foreach (var (rowKey, deltas) in write.Counters)
            {
                var existing = counters.GetValueOrDefault(rowKey) ?? read.GetValueOrDefault(rowKey);
                var row = new TableEntity(orgId, rowKey);
                if (existing is not null)
                {
                    foreach (var (name, value) in existing)
                    {
                        if (name is not ("odata.etag" or "PartitionKey" or "RowKey" or "Timestamp"))
                        {
                            row[name] = value;
                        }
                    }
                }

                foreach (var (name, amount) in deltas)
                {
                    row[name] = (row.GetInt64(name) ?? 0) + amount;
                }

                if (write.Sources.TryGetValue(rowKey, out var cited))
                {
                    row[SourcesProperty] = CiteSources(row.GetString(SourcesProperty), cited);
                }

                actions.Add(existing is null
                    ? new TableTransactionAction(TableTransactionActionType.Add, row)
                    : new TableTransactionAction(TableTransactionActionType.UpdateReplace, row, existing.ETag));
            }

            foreach (var put in write.Puts)
            {
                put.PartitionKey = orgId;
                actions.Add(read.TryGetValue(put.RowKey, out var before)
                    ? new TableTransactionAction(TableTransactionActionType.UpdateReplace, put, before.ETag)
                    : new TableTransactionAction(TableTransactionActionType.Add, put));
            }

            foreach (var merge in write.Merges)
            {
                merge.PartitionKey = orgId;
                actions.Add(new TableTransactionAction(TableTransactionActionType.UpsertMerge, merge));
            }

            try
            {
                await Table.SubmitTransactionAsync(actions, cancellationToken);
                return true;
            }
            catch (TableTransactionFailedException e) when (e.Status is 409 or 412)
            {
                // Another event changed a counter row first, or this event's marker appeared (redelivered concurrently):
                // read again; the marker check at the top ends a duplicate.
            }
        }

        throw new InvalidOperationException($"Insights counters of {orgId} stayed contended for event {eventId}.");
    }

    private async Task<Dictionary<string, TableEntity>> ReadAsync(string orgId, IReadOnlyList<string> keys, CancellationToken cancellationToken)
    {
        var rows = await Task.WhenAll(keys.Select(k => Table.GetEntityIfExistsAsync<TableEntity>(orgId, k, cancellationToken: cancellationToken)));
        return rows.Where(r => r.HasValue).Select(r => r.Value!).ToDictionary(r => r.RowKey, StringComparer.Ordinal);
    }

    /// <summary>The summary of a range of days: one range query over the counter rows (at most days x shards of them).</summary>
    public async Task<InsightsSummary> SummaryAsync(string orgId, DateOnly from, DateOnly to, int topSources, CancellationToken cancellationToken = default)
    {
        var counters = await CountersAsync(orgId, from, to, cancellationToken);
        long Sum(string name) => counters.Sum(c => c.GetInt64(name) ?? 0);
        var top = counters.OrderBy(c => c.RowKey, StringComparer.Ordinal)
            .SelectMany(c => c.GetString(SourcesProperty) is { Length: > 0 } json ? ComxJson.Deserialize<Dictionary<string, SourceCount>>(json) ?? [] : [])
            .GroupBy(p => p.Key, StringComparer.Ordinal)
            .Select(g => new TopSource(g.Key, g.Select(p => p.Value.Title).LastOrDefault(t => !string.IsNullOrEmpty(t)), g.Sum(p => p.Value.Citations)))
            .Where(t => t.Citations > 0).OrderByDescending(t => t.Citations).ThenBy(t => t.SourceId, StringComparer.Ordinal).Take(topSources).ToList();
        return new InsightsSummary(from, to, Sum(InsightsConsumer.Counters.Messages), Sum(InsightsConsumer.Counters.Answered),
            Sum(InsightsConsumer.Counters.Fallbacks), Sum(InsightsConsumer.Counters.Handoffs), Sum(InsightsConsumer.Counters.Escalations),
            Sum(InsightsConsumer.Counters.Helpful), Sum(InsightsConsumer.Counters.Unhelpful), top);
    }

    /// <summary>The counter rows of a range of days (inclusive), one range query.</summary>
    public async Task<IReadOnlyList<TableEntity>> CountersAsync(string orgId, DateOnly from, DateOnly to, CancellationToken cancellationToken = default) =>
        await RangeAsync(orgId, CounterPrefix, from, to, null, cancellationToken);

    /// <summary>The unanswered questions of a range of days, newest first, at most <paramref name="max"/>.</summary>
    public async Task<IReadOnlyList<UnansweredRow>> UnansweredAsync(string orgId, DateOnly from, DateOnly to, int max, CancellationToken cancellationToken = default)
    {
        var rows = await RangeAsync(orgId, QuestionPrefix, from, to, ["Question", "AskedAt", "Vector", "Withdrawn"], cancellationToken);
        return [.. rows.Where(r => r.GetString("Question") is { Length: > 0 } && r.GetBoolean("Withdrawn") != true && r.GetBinary("Vector") is { Length: > 0 })
            .Select(r => new UnansweredRow(r.GetString("Question"), r.GetDateTimeOffset("AskedAt") ?? default, (sbyte[])(Array)r.GetBinary("Vector")))
            .OrderByDescending(r => r.AskedAt).Take(max)];
    }

    private async Task<List<TableEntity>> RangeAsync(string orgId, string prefix, DateOnly from, DateOnly to, IEnumerable<string>? select, CancellationToken cancellationToken)
    {
        var low = prefix + from.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var high = prefix + to.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) + "|~";
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {orgId} and RowKey ge {low} and RowKey lt {high}");
        var rows = new List<TableEntity>();
        await foreach (var row in Table.QueryAsync<TableEntity>(filter, 1000, select, cancellationToken))
        {
            rows.Add(row);
        }

        return rows;
    }

    /// <summary>
    /// For the retention job: removes the unanswered questions asked before <paramref name="cutoff"/> (they hold visitors'
    /// words), the votes and the redelivery markers older than it. The daily counters hold no personal data and stay.
    /// Returns how many rows were removed.
    /// </summary>
    public async Task<int> DeleteOlderThanAsync(string orgId, DateTimeOffset cutoff, CancellationToken cancellationToken = default)
    {
        var day = QuestionPrefix + Day(cutoff);
        var filter = TableClient.CreateQueryFilter(
            $"PartitionKey eq {orgId} and ((RowKey ge {QuestionPrefix} and RowKey lt {day}) or (RowKey ge {MarkerPrefix} and RowKey lt {"e~"} and At lt {cutoff}) or (RowKey ge {VotePrefix} and RowKey lt {"v~"} and Timestamp lt {cutoff}))");
        var removed = 0;
        await foreach (var row in Table.QueryAsync<TableEntity>(filter, 1000, ["RowKey"], cancellationToken))
        {
            try
            {
                await Table.DeleteEntityAsync(orgId, row.RowKey, ETag.All, cancellationToken);
                removed++;
            }
            catch (RequestFailedException e) when (e.Status == 404)
            {
                // Removed by a concurrent run.
            }
        }

        return removed;
    }
}
