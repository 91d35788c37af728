using Azure;
using Azure.Data.Tables;

namespace Comx.Core.Storage;

/// <summary>
/// Read–modify–write of one entity with ETag concurrency: the mutation sees the current entity (or null) and returns
/// the entity to store, or null to leave it alone. A lost race re-reads and re-decides, so concurrent writers never
/// overwrite each other blindly (style.md rule 8).
/// </summary>
public static class VersionedWrite
{
    private const int MaxAttempts = 20;

    public static async Task<T?> UpdateAsync<T>(this TableClient table, string partitionKey, string rowKey, Func<T?, T?> mutate,
        CancellationToken cancellationToken = default)
        where T : class, ITableEntity
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(mutate);
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var existing = await table.GetEntityIfExistsAsync<T>(partitionKey, rowKey, cancellationToken: cancellationToken);
            var current = existing.HasValue ? existing.Value : null;
            var next = mutate(current);
            if (next is null)
            {
                return current;
            }

            next.PartitionKey = partitionKey;
            next.RowKey = rowKey;
            try
            {
                if (current is null)
                {
                    await table.AddEntityAsync(next, cancellationToken);
                }
                else
                {
                    await table.UpdateEntityAsync(next, current.ETag, TableUpdateMode.Replace, cancellationToken);
                }

                return next;
            }
            catch (RequestFailedException e) when (e.Status is 409 or 412)
            {
                await Task.Delay(Random.Shared.Next(1, 10 + attempt * 5), cancellationToken);
            }
        }

        throw new InvalidOperationException($"Entity {partitionKey}/{rowKey} stayed contended after {MaxAttempts} attempts.");
    }
}
