using Azure;
using Azure.Data.Tables;

namespace Comx.Core.Storage;

/// <summary>
/// A per-organisation count of things held against a limit (sources, webhook subscriptions), kept exact under any
/// concurrency: a slot is reserved before the thing is stored, by an ETag-checked increment that refuses at the limit,
/// and released when the thing is deleted or its insert failed. Count-then-insert let 40 parallel creations store 17
/// sources against a limit of 10; here the limit is never exceeded.
/// </summary>
/// <remarks>
/// The counter is seeded from the real count the first time it is needed. If a process dies between reserving and
/// storing, the counter is one too high; when it refuses and has not moved for <see cref="SettleTime"/>, the real count
/// is taken again and the counter corrected (ETag-checked, so it never races a live reservation). Drift can only refuse
/// early, never admit one too many.
/// </remarks>
public sealed class CountedSlots(ComxStorage storage, TimeProvider time)
{
    public static readonly TimeSpan SettleTime = TimeSpan.FromMinutes(2);

    private const int MaxAttempts = 100;

    private TableClient Table => storage.Table(StorageNames.Tables.Usage);

    /// <summary>True when a slot was reserved (the caller now stores the thing, or releases on failure); false at the limit.</summary>
    public async Task<bool> TryReserveAsync(string orgId, string name, long limit, Func<CancellationToken, Task<int>> countStored,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(countStored);
        var row = RowKey(name);
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var now = time.GetUtcNow();
            var existing = await Table.GetEntityIfExistsAsync<TableEntity>(orgId, row, cancellationToken: cancellationToken);
            if (!existing.HasValue)
            {
                var stored = await countStored(cancellationToken);
                var seeded = new TableEntity(orgId, row) { ["Count"] = (long)stored + (stored < limit ? 1 : 0), ["UpdatedAt"] = now };
                try
                {
                    await Table.AddEntityAsync(seeded, cancellationToken);
                    return stored < limit;
                }
                catch (RequestFailedException e) when (e.Status == 409)
                {
                    continue;
                }
            }

            var counter = existing.Value!;
            var count = counter.GetInt64("Count") ?? 0;
            if (count >= limit)
            {
                if (now - (counter.GetDateTimeOffset("UpdatedAt") ?? now) < SettleTime || await countStored(cancellationToken) is var real && real >= count)
                {
                    return false;
                }

                counter["Count"] = (long)real;
            }
            else
            {
                counter["Count"] = count + 1;
            }

            counter["UpdatedAt"] = now;
            try
            {
                await Table.UpdateEntityAsync(counter, counter.ETag, TableUpdateMode.Replace, cancellationToken);
                if (count < limit)
                {
                    return true;
                }
            }
            catch (RequestFailedException e) when (e.Status is 412 or 404)
            {
                await Task.Delay(Random.Shared.Next(1, 5 + Math.Min(attempt, 20)), cancellationToken);
            }
        }

        throw new InvalidOperationException($"The {name} count of {orgId} stayed contended after {MaxAttempts} attempts.");
    }

    /// <summary>Gives a slot back (the thing was deleted, or storing it failed).</summary>
    public async Task ReleaseAsync(string orgId, string name, CancellationToken cancellationToken = default)
    {
        var row = RowKey(name);
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var existing = await Table.GetEntityIfExistsAsync<TableEntity>(orgId, row, cancellationToken: cancellationToken);
            if (!existing.HasValue || (existing.Value!.GetInt64("Count") ?? 0) <= 0)
            {
                return;
            }

            var counter = existing.Value;
            counter["Count"] = counter.GetInt64("Count")!.Value - 1;
            counter["UpdatedAt"] = time.GetUtcNow();
            try
            {
                await Table.UpdateEntityAsync(counter, counter.ETag, TableUpdateMode.Replace, cancellationToken);
                return;
            }
            catch (RequestFailedException e) when (e.Status is 412 or 404)
            {
                await Task.Delay(Random.Shared.Next(1, 5 + Math.Min(attempt, 20)), cancellationToken);
            }
        }
    }

    private static string RowKey(string name) => "slots-" + name;
}
