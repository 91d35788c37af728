using System.Globalization;
using Azure;
using Azure.Data.Tables;
using Comx.Core.Storage;

namespace Comx.Core.Billing;

/// <summary>Monthly usage per organisation (chat messages answered), an ETag-checked counter per month.</summary>
public sealed class UsageCounter(ComxStorage storage, TimeProvider time)
{
    private TableClient Table => storage.Table(StorageNames.Tables.Usage);

    public async Task<long> GetAsync(string orgId, PlanLimit limit, CancellationToken cancellationToken = default)
    {
        var entity = await Table.GetEntityIfExistsAsync<CounterEntity>(orgId, RowKey(limit), cancellationToken: cancellationToken);
        return entity.HasValue ? entity.Value!.Count : 0;
    }

    public async Task<long> IncrementAsync(string orgId, PlanLimit limit, long by = 1, CancellationToken cancellationToken = default)
    {
        var updated = await Table.UpdateAsync<CounterEntity>(orgId, RowKey(limit), current =>
        {
            var next = current ?? new CounterEntity();
            next.Count += by;
            return next;
        }, cancellationToken);
        return updated!.Count;
    }

    private string RowKey(PlanLimit limit) => limit == PlanLimit.MessagesPerMonth
        ? "messages-" + time.GetUtcNow().ToString("yyyy-MM", CultureInfo.InvariantCulture)
        : limit.ToString().ToLowerInvariant();

    internal sealed class CounterEntity : ITableEntity
    {
        public string PartitionKey { get; set; } = "";

        public string RowKey { get; set; } = "";

        public DateTimeOffset? Timestamp { get; set; }

        public ETag ETag { get; set; }

        public long Count { get; set; }
    }
}
