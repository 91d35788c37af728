using System.Collections.Concurrent;
using System.Globalization;
using Azure;
using Azure.Data.Tables;
using Comx.Core.Http;
using Comx.Core.Storage;
using Microsoft.Extensions.Logging;

namespace Comx.Core.Billing;

/// <summary>What <see cref="UsageCounter.TryConsumeAsync"/> decided.</summary>
public enum UsageConsumption
{
    /// <summary>One unit was counted; the action may go ahead.</summary>
    Consumed,

    /// <summary>The limit is reached; nothing was counted.</summary>
    LimitReached,

    /// <summary>Storage stayed contended (other instances writing the same shards); nothing was counted. Retryable.</summary>
    Contended,
}

/// <summary>
/// Monthly usage per organisation (chat messages answered), sharded so that concurrent messages of one organisation
/// never queue on one row: a month's count is <see cref="ShardCount"/> rows in the organisation's partition
/// (<c>messages-2026-12-s00</c> … <c>-s15</c>), summed on read.
/// </summary>
/// <remarks>
/// The limit is enforced exactly, without a hot row: shard <c>i</c> may hold at most its share of the limit
/// (<c>limit / ShardCount</c>, the remainder going to the first shards), and <see cref="TryConsumeAsync"/> increments a
/// shard only while it is under its share, with an ETag-conditional write. So the shards never sum to more than the
/// limit, whatever the concurrency and however many instances run. The price is that a month's last few messages may
/// cost a refresh of all shards (one partition query) when this instance's shards are full but others' are not.
/// Each instance remembers each shard's last count and ETag and lends a shard to one of its requests at a time, so on
/// one instance a message costs one write and no read; a lost race with another instance re-reads that shard.
/// </remarks>
public sealed partial class UsageCounter(ComxStorage storage, TimeProvider time, ILogger<UsageCounter> logger)
{
    /// <summary>Rows per organisation and month: concurrent writers spread over this many ETags.</summary>
    public const int ShardCount = 16;

    private const int MaxAttempts = 40;
    private const int MaxWaits = 2_000;
    private readonly ConcurrentDictionary<string, OrgShards> _orgs = new(StringComparer.Ordinal);

    private TableClient Table => storage.Table(StorageNames.Tables.Usage);

    /// <summary>The count so far (this month's, for <see cref="PlanLimit.MessagesPerMonth"/>): one partition query.</summary>
    public async Task<long> GetAsync(string orgId, PlanLimit limit, CancellationToken cancellationToken = default)
    {
        var total = 0L;
        foreach (var shard in await ReadShardsAsync(orgId, CounterKey(limit), cancellationToken))
        {
            total += shard?.Count ?? 0;
        }

        return total;
    }

    /// <summary>
    /// Counts one unit if that keeps the count within <paramref name="allowed"/>. Safe under any concurrency: the sum
    /// of the shards never exceeds <paramref name="allowed"/>.
    /// </summary>
    public async Task<UsageConsumption> TryConsumeAsync(string orgId, PlanLimit limit, long allowed, CancellationToken cancellationToken = default)
    {
        var key = CounterKey(limit);
        var shards = _orgs.GetOrAdd(orgId, _ => new OrgShards()).For(key);
        await shards.Free.WaitAsync(cancellationToken);
        try
        {
            var (attempts, waits) = (0, 0);
            while (attempts < MaxAttempts && waits < MaxWaits)
            {
                var index = shards.Lend(allowed);
                if (index < 0)
                {
                    if (shards.HasRoom(allowed))
                    {
                        // The room left is in shards other requests on this instance are writing: they finish in a moment.
                        waits++;
                        await Task.Delay(1, cancellationToken);
                        continue;
                    }

                    // Every shard is full as far as this instance knows: look at what is really stored.
                    attempts++;
                    if (!await RefreshAsync(orgId, key, shards, allowed, cancellationToken))
                    {
                        return UsageConsumption.LimitReached;
                    }

                    continue;
                }

                ShardWrite written;
                try
                {
                    written = await IncrementShardAsync(orgId, key, index, shards, Share(allowed, index), cancellationToken);
                }
                finally
                {
                    shards.Return(index);
                }

                if (written == ShardWrite.Written)
                {
                    return UsageConsumption.Consumed;
                }

                if (written == ShardWrite.Lost)
                {
                    attempts++;
                    await Task.Delay(Random.Shared.Next(1, 5 + (Math.Min(attempts, 10) * 3)), cancellationToken);
                }
            }
        }
        finally
        {
            shards.Free.Release();
        }

        LogContended(logger, orgId);
        return UsageConsumption.Contended;
    }

    /// <summary>
    /// The plan check for one chat message, counting it when allowed: null to go ahead, else the 403 of
    /// <see cref="PlanCatalog.Check"/> (trial over, subscription inactive, monthly limit) or a retryable 503 when the
    /// counter stayed contended (never a 500, and never an uncounted message).
    /// </summary>
    public async Task<ApiError?> ConsumeMessageAsync(string orgId, BillingState billing, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(billing);
        var now = time.GetUtcNow();
        if (PlanCatalog.Check(billing, PlanLimit.MessagesPerMonth, 0, now) is { } refused)
        {
            return refused;
        }

        return await TryConsumeAsync(orgId, PlanLimit.MessagesPerMonth, PlanCatalog.Limit(billing.Plan, PlanLimit.MessagesPerMonth), cancellationToken) switch
        {
            UsageConsumption.Consumed => null,
            UsageConsumption.LimitReached => PlanCatalog.Check(billing, PlanLimit.MessagesPerMonth, long.MaxValue, now),
            _ => ApiError.ProviderUnavailable("The usage counter is busy. Retry in a moment."),
        };
    }

    /// <summary>
    /// Gives back one message counted by <see cref="ConsumeMessageAsync"/> that was not answered after all (the answer
    /// provider was unavailable). Taken from the first shard that has one, so every shard stays within its share.
    /// </summary>
    public async Task ReleaseMessageAsync(string orgId, CancellationToken cancellationToken = default)
    {
        var key = CounterKey(PlanLimit.MessagesPerMonth);
        var stored = await ReadShardsAsync(orgId, key, cancellationToken);
        if (Array.FindIndex(stored, shard => shard is { Count: > 0 }) is var index and >= 0)
        {
            await Table.UpdateAsync<CounterEntity>(orgId, ShardRow(key, index), current =>
            {
                if (current is not { Count: > 0 })
                {
                    return null;
                }

                current.Count--;
                return current;
            }, cancellationToken);
        }

        Forget(orgId, key);
    }

    /// <summary>
    /// Adds <paramref name="by"/> (≥ 0) regardless of any limit (administrative corrections, tests), each unit to the
    /// shard with the lowest count. Filling the lowest first keeps every shard within its share of any limit the
    /// total stays under, which is what <see cref="TryConsumeAsync"/> relies on.
    /// </summary>
    public async Task IncrementAsync(string orgId, PlanLimit limit, long by = 1, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(by);
        var key = CounterKey(limit);
        var counts = (await ReadShardsAsync(orgId, key, cancellationToken)).Select(shard => shard?.Count ?? 0).ToArray();
        var added = new long[ShardCount];
        for (var unit = 0L; unit < by; unit++)
        {
            var lowest = 0;
            for (var index = 1; index < ShardCount; index++)
            {
                if (counts[index] + added[index] < counts[lowest] + added[lowest])
                {
                    lowest = index;
                }
            }

            added[lowest]++;
        }

        for (var index = 0; index < ShardCount; index++)
        {
            var part = added[index];
            if (part != 0)
            {
                await Table.UpdateAsync<CounterEntity>(orgId, ShardRow(key, index), current =>
                {
                    var next = current ?? new CounterEntity();
                    next.Count += part;
                    return next;
                }, cancellationToken);
            }
        }

        Forget(orgId, key);
    }

    /// <summary>This instance's remembered counts and ETags are stale after a write outside <see cref="TryConsumeAsync"/>; the next one re-reads.</summary>
    private void Forget(string orgId, string key)
    {
        if (_orgs.TryGetValue(orgId, out var org))
        {
            org.For(key).Forget();
        }
    }

    /// <summary>Shard <paramref name="index"/>'s share of <paramref name="allowed"/>; the shares sum to it exactly.</summary>
    internal static long Share(long allowed, int index) => Math.Max(0, (allowed / ShardCount) + (index < allowed % ShardCount ? 1 : 0));

    private async Task<ShardWrite> IncrementShardAsync(string orgId, string key, int index, MonthShards shards, long share, CancellationToken cancellationToken)
    {
        var known = shards.Known[index];
        if (known is null)
        {
            var read = await Table.GetEntityIfExistsAsync<CounterEntity>(orgId, ShardRow(key, index), cancellationToken: cancellationToken);
            known = read.HasValue ? new ShardState(read.Value!.Count, read.Value.ETag) : ShardState.Missing;
            shards.Known[index] = known;
        }

        if (known.Count >= share)
        {
            return ShardWrite.Full;
        }

        var next = new CounterEntity { PartitionKey = orgId, RowKey = ShardRow(key, index), Count = known.Count + 1 };
        try
        {
            var response = known.ETag is { } etag
                ? await Table.UpdateEntityAsync(next, etag, TableUpdateMode.Replace, cancellationToken)
                : await Table.AddEntityAsync(next, cancellationToken);
            shards.Known[index] = new ShardState(next.Count, response.Headers.ETag);
            return ShardWrite.Written;
        }
        catch (RequestFailedException e) when (e.Status is 409 or 412)
        {
            // Another instance wrote this shard since we last saw it.
            shards.Known[index] = null;
            return ShardWrite.Lost;
        }
    }

    /// <summary>Re-reads every shard; true when some shard this instance can lend still has room.</summary>
    private async Task<bool> RefreshAsync(string orgId, string key, MonthShards shards, long allowed, CancellationToken cancellationToken)
    {
        var stored = await ReadShardsAsync(orgId, key, cancellationToken);
        for (var index = 0; index < ShardCount; index++)
        {
            shards.Known[index] = stored[index] is { } entity ? new ShardState(entity.Count, entity.ETag) : ShardState.Missing;
        }

        return shards.HasRoom(allowed);
    }

    private async Task<CounterEntity?[]> ReadShardsAsync(string orgId, string key, CancellationToken cancellationToken)
    {
        var shards = new CounterEntity?[ShardCount];
        var prefix = key + "-s";
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {orgId} and RowKey ge {prefix} and RowKey lt {prefix + "~"}");
        await foreach (var entity in Table.QueryAsync<CounterEntity>(filter, cancellationToken: cancellationToken))
        {
            if (int.TryParse(entity.RowKey.AsSpan(prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var index) && index is >= 0 and < ShardCount)
            {
                shards[index] = entity;
            }
        }

        return shards;
    }

    private string CounterKey(PlanLimit limit) => limit == PlanLimit.MessagesPerMonth
        ? "messages-" + time.GetUtcNow().ToString("yyyy-MM", CultureInfo.InvariantCulture)
        : limit.ToString().ToLowerInvariant();

    private static string ShardRow(string key, int index) => key + "-s" + index.ToString("D2", CultureInfo.InvariantCulture);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Usage counter of org {OrgId} stayed contended; the message was refused as retryable.")]
    private static partial void LogContended(ILogger logger, string orgId);

    internal sealed class CounterEntity : ITableEntity
    {
        public string PartitionKey { get; set; } = "";

        public string RowKey { get; set; } = "";

        public DateTimeOffset? Timestamp { get; set; }

        public ETag ETag { get; set; }

        public long Count { get; set; }
    }

    private enum ShardWrite
    {
        Written,
        Lost,
        Full,
    }

    private sealed record ShardState(long Count, ETag? ETag)
    {
        public static readonly ShardState Missing = new(0, null);
    }

    /// <summary>One organisation's counters on this instance, by counter key (a month rolls over to a new key).</summary>
    private sealed class OrgShards
    {
        private MonthShards _current = new("");

        public MonthShards For(string key)
        {
            var current = Volatile.Read(ref _current);
            if (current.Key == key)
            {
                return current;
            }

            var fresh = new MonthShards(key);
            return Interlocked.CompareExchange(ref _current, fresh, current) == current ? fresh : Volatile.Read(ref _current);
        }
    }

    /// <summary>What this instance knows of one counter's shards, and which of them its requests are using.</summary>
    private sealed class MonthShards(string key)
    {
        private readonly bool[] _lent = new bool[ShardCount];
        // Where this instance starts looking for a shard: random, so instances mostly write different shards; fixed, so a
        // lone visitor's messages keep writing the one shard whose ETag this instance knows (no read before the write).
        private readonly int _start = Random.Shared.Next(ShardCount);

        public string Key { get; } = key;

        /// <summary>At most one request per shard on this instance, so this instance never races itself.</summary>
        public SemaphoreSlim Free { get; } = new(ShardCount, ShardCount);

        public ShardState?[] Known { get; } = new ShardState?[ShardCount];

        /// <summary>A shard no other request here is using and not known to be full; -1 when there is none.</summary>
        public int Lend(long allowed)
        {
            lock (_lent)
            {
                for (var i = 0; i < ShardCount; i++)
                {
                    var index = (_start + i) % ShardCount;
                    if (!_lent[index] && !(Known[index] is { } known && known.Count >= Share(allowed, index)))
                    {
                        _lent[index] = true;
                        return index;
                    }
                }

                return -1;
            }
        }

        public void Return(int index)
        {
            lock (_lent)
            {
                _lent[index] = false;
            }
        }

        public bool HasRoom(long allowed)
        {
            for (var index = 0; index < ShardCount; index++)
            {
                if (Known[index] is not { } known || known.Count < Share(allowed, index))
                {
                    return true;
                }
            }

            return false;
        }

        public void Forget() => Array.Clear(Known);
    }
}
