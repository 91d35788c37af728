using System.Collections.Concurrent;
using Azure;
using Azure.Data.Tables;
using Comx.Core.Storage;
using Microsoft.Extensions.Logging;

namespace Comx.Core.Http;

/// <summary>The state of one caller's window after a request, for the <c>X-RateLimit-*</c> headers.</summary>
public sealed record RateLimitDecision(bool Allowed, int Limit, int Remaining, DateTimeOffset Reset)
{
    public int RetryAfterSeconds(DateTimeOffset now) => Math.Max(1, (int)Math.Ceiling((Reset - now).TotalSeconds));
}

/// <summary>
/// Fixed-window counters in Table Storage, shared by every instance. An increment is a conditional write (ETag
/// If-Match) of the count this instance last saw, or a read then a conditional write when it has not seen the counter
/// yet; a lost race re-reads and tries again, so concurrent requests never lose a count. Requests of one caller on one
/// instance take turns, so an instance never races itself: a classroom behind one address costs one write per request,
/// not a storm of retries. A caller already over the limit costs nothing once this instance has seen it over (a
/// window's count only grows).
/// </summary>
public sealed partial class RateLimiter(ComxStorage storage, TimeProvider time, ILogger<RateLimiter> logger)
{
    private const int MaxAttempts = 200;
    private const int SweepAbove = 50_000;
    private readonly ConcurrentDictionary<string, Window> _windows = new(StringComparer.Ordinal);

    /// <summary>
    /// The refusal this instance already knows for the caller's current window (a window's count only grows), without
    /// storage and without counting; null when it knows of none.
    /// </summary>
    public RateLimitDecision? KnownRefusal(RateLimitPolicy policy, string key)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var (partition, row, _) = Locate(policy, key);
        return _windows.TryGetValue(partition + "/" + row, out var window) ? KnownRefusal(window, policy) : null;
    }

    // A window's count only grows, so one this instance has seen at the limit stays refused until it ends.
    private static RateLimitDecision? KnownRefusal(Window window, RateLimitPolicy policy) =>
        window.Seen is { } seen && seen.Count >= policy.Limit ? new RateLimitDecision(false, policy.Limit, 0, window.Reset) : null;

    /// <summary>Counts one request and says whether it is within the limit.</summary>
    public async Task<RateLimitDecision> HitAsync(RateLimitPolicy policy, string key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var (partition, row, reset) = Locate(policy, key);
        var window = _windows.GetOrAdd(partition + "/" + row, _ => new Window(reset));
        SweepIfLarge();
        await window.Turn.WaitAsync(cancellationToken);
        try
        {
            return await HitAsync(policy, partition, row, reset, window, cancellationToken);
        }
        finally
        {
            window.Turn.Release();
        }
    }

    private async Task<RateLimitDecision> HitAsync(RateLimitPolicy policy, string partition, string row, DateTimeOffset reset, Window window,
        CancellationToken cancellationToken)
    {
        var table = storage.Table(StorageNames.Tables.RateLimits);
        // A window this instance has not seen is usually new (a caller's first request this minute): insert without reading first.
        var assumeNew = window.Seen is null;
        if (KnownRefusal(window, policy) is { } refused)
        {
            return refused;
        }

        if (window.Seen is { } seen)
        {
            var next = new CounterEntity { PartitionKey = partition, RowKey = row, Count = seen.Count + 1, ExpiresAt = reset };
            try
            {
                var written = await table.UpdateEntityAsync(next, seen.ETag, TableUpdateMode.Replace, cancellationToken);
                window.Seen = written.Headers.ETag is { } etag ? new SeenCount(next.Count, etag) : null;
                return new RateLimitDecision(true, policy.Limit, policy.Limit - next.Count, reset);
            }
            catch (RequestFailedException e) when (e.Status is 404 or 412)
            {
                // Another instance counted since (or the counter was cleaned up): read it afresh below.
                window.Seen = null;
            }
        }

        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var existing = attempt == 0 && assumeNew ? null : await table.GetEntityIfExistsAsync<CounterEntity>(partition, row, cancellationToken: cancellationToken);
            if (existing is not { HasValue: true })
            {
                var created = new CounterEntity { PartitionKey = partition, RowKey = row, Count = 1, ExpiresAt = reset };
                try
                {
                    var added = await table.AddEntityAsync(created, cancellationToken);
                    window.Seen = added.Headers.ETag is { } etag ? new SeenCount(1, etag) : null;
                    return new RateLimitDecision(true, policy.Limit, policy.Limit - 1, reset);
                }
                catch (RequestFailedException e) when (e.Status == 409)
                {
                    continue;
                }
            }

            var counter = existing.Value!;
            if (counter.Count >= policy.Limit)
            {
                window.Seen = new SeenCount(counter.Count, counter.ETag);
                return new RateLimitDecision(false, policy.Limit, 0, reset);
            }

            counter.Count++;
            try
            {
                var updated = await table.UpdateEntityAsync(counter, counter.ETag, TableUpdateMode.Replace, cancellationToken);
                window.Seen = updated.Headers.ETag is { } etag ? new SeenCount(counter.Count, etag) : null;
                return new RateLimitDecision(true, policy.Limit, policy.Limit - counter.Count, reset);
            }
            catch (RequestFailedException e) when (e.Status == 412)
            {
                await Task.Delay(Random.Shared.Next(1, 5 + Math.Min(attempt, 20)), cancellationToken);
            }
        }

        // Storage contention this high means something else is wrong; refusing every caller would turn it into an outage.
        LogContention(logger, policy.Name);
        return new RateLimitDecision(true, policy.Limit, 0, reset);
    }

    private void SweepIfLarge()
    {
        if (_windows.Count <= SweepAbove)
        {
            return;
        }

        var now = time.GetUtcNow();
        foreach (var (id, window) in _windows)
        {
            if (window.Reset < now)
            {
                _windows.TryRemove(KeyValuePair.Create(id, window));
            }
        }
    }

    /// <summary>Reads a window without counting (the auth-failure throttle checks before it knows whether to count).</summary>
    public async Task<RateLimitDecision> PeekAsync(RateLimitPolicy policy, string key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var (partition, row, reset) = Locate(policy, key);
        var existing = await storage.Table(StorageNames.Tables.RateLimits)
            .GetEntityIfExistsAsync<CounterEntity>(partition, row, [nameof(CounterEntity.Count)], cancellationToken);
        var count = existing.HasValue ? existing.Value!.Count : 0;
        return new RateLimitDecision(count < policy.Limit, policy.Limit, Math.Max(0, policy.Limit - count), reset);
    }

    /// <summary>Deletes counters of windows that have ended (run by the storage clean-up timer).</summary>
    public async Task<int> DeleteExpiredAsync(CancellationToken cancellationToken = default)
    {
        var table = storage.Table(StorageNames.Tables.RateLimits);
        var now = time.GetUtcNow();
        var deleted = 0;
        await foreach (var entity in table.QueryAsync<CounterEntity>(e => e.ExpiresAt < now, select: ["PartitionKey", "RowKey"], cancellationToken: cancellationToken))
        {
            await table.DeleteEntityAsync(entity.PartitionKey, entity.RowKey, ETag.All, cancellationToken);
            deleted++;
        }

        return deleted;
    }

    private (string Partition, string Row, DateTimeOffset Reset) Locate(RateLimitPolicy policy, string key)
    {
        var now = time.GetUtcNow();
        var windowTicks = policy.Window.Ticks;
        var start = new DateTimeOffset(now.UtcTicks - (now.UtcTicks % windowTicks), TimeSpan.Zero);
        return ($"{policy.Name}:{StorageKeys.Hash(key)}", StorageKeys.OldestFirst(start), start + policy.Window);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rate-limit counter for policy {Policy} stayed contended; request allowed.")]
    private static partial void LogContention(ILogger logger, string policy);

    /// <summary>What this instance knows of one caller's window; its requests take <see cref="Turn"/>s.</summary>
    private sealed class Window(DateTimeOffset reset)
    {
        public DateTimeOffset Reset { get; } = reset;

        public SemaphoreSlim Turn { get; } = new(1, 1);

        public SeenCount? Seen { get; set; }
    }

    private sealed record SeenCount(int Count, ETag ETag);

    internal sealed class CounterEntity : ITableEntity
    {
        public string PartitionKey { get; set; } = "";

        public string RowKey { get; set; } = "";

        public DateTimeOffset? Timestamp { get; set; }

        public ETag ETag { get; set; }

        public int Count { get; set; }

        public DateTimeOffset ExpiresAt { get; set; }
    }
}
