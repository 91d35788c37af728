using Azure;
using Azure.Data.Tables;
using Comx.Core.Storage;

namespace Comx.Core.Knowledge;

/// <summary>
/// Ingest jobs (<see cref="StorageNames.Tables.IngestJobs"/>, partition = org, row = job id) and the index of active
/// (queued or running) jobs in the <c>active</c> partition, so the stuck-job sweep reads only those.
/// </summary>
public sealed class IngestJobStore(ComxStorage storage)
{
    private const string ActivePartition = "active";

    private TableClient Table => storage.Table(StorageNames.Tables.IngestJobs);

    /// <summary>Adds the job and its active-index row; false when a job with that id already exists (409).</summary>
    public async Task<bool> AddAsync(string orgId, IngestJobRecord job, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(job);
        // Index first: an index row without a job is dropped by the sweep; a job without one would escape it.
        await Table.UpsertEntityAsync(new TableEntity(ActivePartition, ActiveKey(orgId, job.JobId)), TableUpdateMode.Replace, cancellationToken);
        try
        {
            await Table.AddEntityAsync(JobEntity.From(orgId, job), cancellationToken);
            return true;
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            return false;
        }
    }

    public async Task<IngestJobRecord?> GetAsync(string orgId, string jobId, CancellationToken cancellationToken = default)
    {
        if (!StorageKeys.IsSafeKey(orgId) || !StorageKeys.IsSafeKey(jobId))
        {
            return null;
        }

        var entity = await Table.GetEntityIfExistsAsync<JobEntity>(orgId, jobId, cancellationToken: cancellationToken);
        return entity.HasValue ? entity.Value!.ToRecord() : null;
    }

    /// <summary>Read–modify–write with ETag concurrency; the mutation returns null to leave the job alone.</summary>
    public async Task<IngestJobRecord?> UpdateAsync(string orgId, string jobId, Func<IngestJobRecord, IngestJobRecord?> mutate, CancellationToken cancellationToken = default)
    {
        var written = await Table.UpdateAsync<JobEntity>(orgId, jobId, current =>
            current is null || mutate(current.ToRecord()) is not { } next ? null : JobEntity.From(orgId, next), cancellationToken);
        return written?.ToRecord();
    }

    /// <summary>Every job in the active index: org, job, and when the index row was written.</summary>
    public async Task<IReadOnlyList<(string OrgId, string JobId, DateTimeOffset IndexedAt)>> ListActiveAsync(CancellationToken cancellationToken = default)
    {
        var active = new List<(string, string, DateTimeOffset)>();
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {ActivePartition}");
        await foreach (var row in Table.QueryAsync<TableEntity>(filter, select: ["RowKey", "Timestamp"], cancellationToken: cancellationToken))
        {
            var cut = row.RowKey.IndexOf('|', StringComparison.Ordinal);
            if (cut > 0)
            {
                active.Add((row.RowKey[..cut], row.RowKey[(cut + 1)..], row.Timestamp ?? DateTimeOffset.MinValue));
            }
        }

        return active;
    }

    public async Task RemoveActiveAsync(string orgId, string jobId, CancellationToken cancellationToken = default)
    {
        try
        {
            await Table.DeleteEntityAsync(ActivePartition, ActiveKey(orgId, jobId), ETag.All, cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
        }
    }

    /// <summary>Every job of one source (diagnostics and tests); a partition scan filtered by source.</summary>
    public async Task<IReadOnlyList<IngestJobRecord>> ListForSourceAsync(string orgId, string sourceId, CancellationToken cancellationToken = default)
    {
        var jobs = new List<IngestJobRecord>();
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {orgId} and SourceId eq {sourceId}");
        await foreach (var entity in Table.QueryAsync<JobEntity>(filter, cancellationToken: cancellationToken))
        {
            jobs.Add(entity.ToRecord());
        }

        return jobs;
    }

    private static string ActiveKey(string orgId, string jobId) => $"{orgId}|{jobId}";

    internal sealed class JobEntity : ITableEntity
    {
        public string PartitionKey { get; set; } = "";

        public string RowKey { get; set; } = "";

        public DateTimeOffset? Timestamp { get; set; }

        public ETag ETag { get; set; }

        public string SourceId { get; set; } = "";

        public string Status { get; set; } = "";

        public string Trigger { get; set; } = "";

        public int? ChunkCount { get; set; }

        public string? Error { get; set; }

        public DateTimeOffset CreatedAt { get; set; }

        public DateTimeOffset? StartedAt { get; set; }

        public DateTimeOffset? FinishedAt { get; set; }

        public int Attempts { get; set; }

        public int Recoveries { get; set; }

        public DateTimeOffset LeaseUntil { get; set; }

        public static JobEntity From(string orgId, IngestJobRecord j) => new()
        {
            PartitionKey = orgId,
            RowKey = j.JobId,
            SourceId = j.SourceId,
            Status = j.Status.ToString(),
            Trigger = j.Trigger.ToString(),
            ChunkCount = j.ChunkCount,
            Error = j.Error,
            CreatedAt = j.CreatedAt,
            StartedAt = j.StartedAt,
            FinishedAt = j.FinishedAt,
            Attempts = j.Attempts,
            Recoveries = j.Recoveries,
            LeaseUntil = j.LeaseUntil,
        };

        public IngestJobRecord ToRecord() => new(RowKey, SourceId, Enum.Parse<IngestJobStatus>(Status), Enum.Parse<IngestTrigger>(Trigger), ChunkCount, Error,
            CreatedAt, StartedAt, FinishedAt, Attempts, Recoveries, LeaseUntil);
    }
}
