using Azure;
using Azure.Data.Tables;

namespace Comx.Core.Storage;

/// <summary>Deletes rows in entity-group transactions of up to 100 per partition, tolerating rows another run already deleted.</summary>
public static class TableBatches
{
    private const int BatchSize = 100;

    public static async Task DeleteAsync(TableClient table, IEnumerable<ITableEntity> rows, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(rows);
        foreach (var partition in rows.GroupBy(r => r.PartitionKey, StringComparer.Ordinal))
        {
            foreach (var batch in partition.Chunk(BatchSize))
            {
                try
                {
                    await table.SubmitTransactionAsync(batch.Select(r => new TableTransactionAction(TableTransactionActionType.Delete, r, ETag.All)), cancellationToken);
                }
                catch (TableTransactionFailedException e) when (e.Status == 404)
                {
                    // Some were gone already (a retried run): delete the rest one by one.
                    foreach (var row in batch)
                    {
                        await DeleteOneAsync(table, row.PartitionKey, row.RowKey, cancellationToken);
                    }
                }
            }
        }
    }

    /// <summary>Deletes one row; true when it existed.</summary>
    public static async Task<bool> DeleteOneAsync(TableClient table, string partitionKey, string rowKey, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(table);
        try
        {
            await table.DeleteEntityAsync(partitionKey, rowKey, ETag.All, cancellationToken);
            return true;
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return false;
        }
    }
}
