using System.Globalization;
using Azure;
using Azure.Data.Tables;
using Comx.Core.Knowledge.Content;
using Comx.Core.Storage;

namespace Comx.Core.Knowledge;

/// <summary>A stored chunk of one generation of a source.</summary>
public sealed record StoredChunk(string ChunkId, int Ordinal, string? Heading, string Text)
{
    /// <summary>The page of a site source the chunk came from.</summary>
    public string? PageUrl { get; init; }
}

/// <summary>
/// Chunks, the source of truth for retrieval (<see cref="StorageNames.Tables.Chunks"/>, partition = org, row
/// <c>{sourceId}|{generation}|{ordinal}</c>). A generation is the id of the job that wrote it: a redelivered job rewrites
/// the same rows instead of adding more, and a re-ingest writes beside the current content, which stays whole until
/// the source is switched to the new generation and the old one is deleted.
/// </summary>
public sealed class ChunkStore(ComxStorage storage)
{
    private const int BatchSize = 100;

    private TableClient Table => storage.Table(StorageNames.Tables.Chunks);

    public async Task WriteAsync(string orgId, string sourceId, string generation, IReadOnlyList<ChunkDraft> chunks, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(chunks);
        foreach (var batch in chunks.Chunk(BatchSize))
        {
            await Table.SubmitTransactionAsync(batch.Select(c => new TableTransactionAction(TableTransactionActionType.UpsertReplace, new TableEntity(orgId, Key(sourceId, generation, c.Ordinal))
            {
                ["ChunkId"] = c.ChunkId,
                ["Heading"] = c.Heading,
                ["Text"] = c.Text,
                ["PageUrl"] = c.PageUrl,
            })), cancellationToken);
        }
    }

    public async Task<IReadOnlyList<StoredChunk>> ReadAsync(string orgId, string sourceId, string generation, CancellationToken cancellationToken = default)
    {
        var prefix = $"{sourceId}|{generation}|";
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {orgId} and RowKey gt {prefix} and RowKey lt {prefix + "~"}");
        var chunks = new List<StoredChunk>();
        await foreach (var row in Table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
        {
            var ordinal = int.Parse(row.RowKey.AsSpan(prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture);
            chunks.Add(new StoredChunk(row.GetString("ChunkId"), ordinal, row.GetString("Heading"), row.GetString("Text")) { PageUrl = row.GetString("PageUrl") });
        }

        return chunks;
    }

    /// <summary>Deletes every generation of the source except <paramref name="keep"/>: the one just replaced, and any a crashed job left behind.</summary>
    public async Task<int> DeleteOtherGenerationsAsync(string orgId, string sourceId, string? keep, CancellationToken cancellationToken = default)
    {
        var prefix = sourceId + "|";
        var keepPrefix = keep is null ? null : $"{sourceId}|{keep}|";
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {orgId} and RowKey gt {prefix} and RowKey lt {sourceId + "}"}");
        var doomed = new List<TableEntity>();
        await foreach (var row in Table.QueryAsync<TableEntity>(filter, select: ["PartitionKey", "RowKey"], cancellationToken: cancellationToken))
        {
            if (keepPrefix is null || !row.RowKey.StartsWith(keepPrefix, StringComparison.Ordinal))
            {
                doomed.Add(row);
            }
        }

        foreach (var batch in doomed.Chunk(BatchSize))
        {
            try
            {
                await Table.SubmitTransactionAsync(batch.Select(r => new TableTransactionAction(TableTransactionActionType.Delete, r, ETag.All)), cancellationToken);
            }
            catch (TableTransactionFailedException e) when (e.Status == 404)
            {
                // Another run of the same job deleted some of them first; delete the rest one by one.
                foreach (var row in batch)
                {
                    try
                    {
                        await Table.DeleteEntityAsync(row.PartitionKey, row.RowKey, ETag.All, cancellationToken);
                    }
                    catch (RequestFailedException inner) when (inner.Status == 404)
                    {
                    }
                }
            }
        }

        return doomed.Count;
    }

    /// <summary>How many chunk rows the source has across all generations (tests: no duplicates, old generations gone).</summary>
    public async Task<int> CountRowsAsync(string orgId, string sourceId, CancellationToken cancellationToken = default)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {orgId} and RowKey gt {sourceId + "|"} and RowKey lt {sourceId + "}"}");
        var count = 0;
        await foreach (var _ in Table.QueryAsync<TableEntity>(filter, select: ["RowKey"], cancellationToken: cancellationToken))
        {
            count++;
        }

        return count;
    }

    private static string Key(string sourceId, string generation, int ordinal) =>
        $"{sourceId}|{generation}|{ordinal.ToString("D5", CultureInfo.InvariantCulture)}";
}
