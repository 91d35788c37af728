using System.Globalization;
using Azure;
using Azure.Data.Tables;
using Comx.Core.Storage;

namespace Comx.Core.Knowledge;

/// <summary>
/// Sources (<see cref="StorageNames.Tables.Sources"/>, partition = org, row <c>s|{sourceId}</c>), the text of text
/// sources (a blob per source in <see cref="StorageNames.Containers.SourceContent"/>: up to 500 KB does not fit a
/// table property), and the refresh schedule: one row per source with a refresh interval in the <c>due</c> partition,
/// keyed by due time, so the refresh timer reads only what is due instead of scanning every organisation.
/// </summary>
public sealed class SourceStore(ComxStorage storage)
{
    private const string RowPrefix = "s|";
    private const string DuePartition = "due";

    private TableClient Table => storage.Table(StorageNames.Tables.Sources);

    public async Task AddAsync(string orgId, SourceRecord source, string? content, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (content is not null)
        {
            await storage.Container(StorageNames.Containers.SourceContent).GetBlobClient(ContentBlob(orgId, source.SourceId))
                .UploadAsync(BinaryData.FromString(content), overwrite: true, cancellationToken);
        }

        await Table.AddEntityAsync(SourceEntity.From(orgId, source), cancellationToken);
    }

    public async Task<SourceRecord?> GetAsync(string orgId, string sourceId, CancellationToken cancellationToken = default)
    {
        if (!StorageKeys.IsSafeKey(orgId) || !StorageKeys.IsSafeKey(sourceId))
        {
            return null;
        }

        var entity = await Table.GetEntityIfExistsAsync<SourceEntity>(orgId, RowPrefix + sourceId, cancellationToken: cancellationToken);
        return entity.HasValue ? entity.Value!.ToRecord() : null;
    }

    /// <summary>The stored text of a text source, or null when the blob is missing.</summary>
    public async Task<byte[]?> GetContentAsync(string orgId, string sourceId, CancellationToken cancellationToken = default)
    {
        try
        {
            var blob = await storage.Container(StorageNames.Containers.SourceContent).GetBlobClient(ContentBlob(orgId, sourceId))
                .DownloadContentAsync(cancellationToken);
            return blob.Value.Content.ToArray();
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }
    }

    /// <summary>Read–modify–write with ETag concurrency; the mutation returns null to leave the source alone.</summary>
    public async Task<SourceRecord?> UpdateAsync(string orgId, string sourceId, Func<SourceRecord, SourceRecord?> mutate, CancellationToken cancellationToken = default)
    {
        var written = await Table.UpdateAsync<SourceEntity>(orgId, RowPrefix + sourceId, current =>
            current is null || mutate(current.ToRecord()) is not { } next ? null : SourceEntity.From(orgId, next), cancellationToken);
        return written?.ToRecord();
    }

    public async Task<ListPage<SourceRecord>> ListAsync(string orgId, PageRequest page, CancellationToken cancellationToken = default)
    {
        var rows = await Table.QueryPageAsync<SourceEntity>(Prefix(orgId), page, cancellationToken: cancellationToken);
        return new ListPage<SourceRecord>([.. rows.Data.Where(e => e.DeletedAt is null).Select(e => e.ToRecord())], rows.NextCursor);
    }

    /// <summary>
    /// Every source of the organisation (for compiling its index); organisations have hundreds at most. A source being
    /// deleted is left out, so an index compiled after the deletion began never includes it.
    /// </summary>
    public async Task<IReadOnlyList<SourceRecord>> ListAllAsync(string orgId, CancellationToken cancellationToken = default)
    {
        var sources = new List<SourceRecord>();
        await foreach (var entity in Table.QueryAsync<SourceEntity>(Prefix(orgId), cancellationToken: cancellationToken))
        {
            if (entity.DeletedAt is null)
            {
                sources.Add(entity.ToRecord());
            }
        }

        return sources;
    }

    /// <summary>Replaces the text of a text source (a PATCH with new content; the next job reads it).</summary>
    public Task PutContentAsync(string orgId, string sourceId, string content, CancellationToken cancellationToken = default) =>
        storage.Container(StorageNames.Containers.SourceContent).GetBlobClient(ContentBlob(orgId, sourceId))
            .UploadAsync(BinaryData.FromString(content), overwrite: true, cancellationToken);

    /// <summary>Stores an uploaded file (before its source row, so a source never names a missing file).</summary>
    public Task PutFileAsync(string orgId, string sourceId, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default) =>
        storage.Container(StorageNames.Containers.SourceFiles).GetBlobClient(FileBlob(orgId, sourceId))
            .UploadAsync(new BinaryData(content), overwrite: true, cancellationToken);

    /// <summary>The bytes of a file source, or null when the blob is missing.</summary>
    public async Task<byte[]?> GetFileAsync(string orgId, string sourceId, CancellationToken cancellationToken = default)
    {
        try
        {
            var blob = await storage.Container(StorageNames.Containers.SourceFiles).GetBlobClient(FileBlob(orgId, sourceId))
                .DownloadContentAsync(cancellationToken);
            return blob.Value.Content.ToArray();
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }
    }

    /// <summary>Removes the source row and whatever it kept in Blob Storage; each step tolerates a previous partial run.</summary>
    public async Task DeleteAsync(string orgId, SourceRecord source, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        await storage.Container(StorageNames.Containers.SourceContent).DeleteBlobIfExistsAsync(ContentBlob(orgId, source.SourceId), cancellationToken: cancellationToken);
        await storage.Container(StorageNames.Containers.SourceFiles).DeleteBlobIfExistsAsync(FileBlob(orgId, source.SourceId), cancellationToken: cancellationToken);
        if (source.NextRefreshAt is { } due)
        {
            await UnscheduleAsync(new DueRefresh(orgId, source.SourceId, due), cancellationToken);
        }

        try
        {
            await Table.DeleteEntityAsync(orgId, RowPrefix + source.SourceId, ETag.All, cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
        }
    }

    public async Task<int> CountAsync(string orgId, CancellationToken cancellationToken = default)
    {
        var count = 0;
        await foreach (var _ in Table.QueryAsync<TableEntity>(Prefix(orgId), select: ["RowKey"], cancellationToken: cancellationToken))
        {
            count++;
        }

        return count;
    }

    /// <summary>Puts a source on the refresh schedule at <paramref name="due"/> (idempotent: the row key is the due time).</summary>
    public Task ScheduleAsync(string orgId, string sourceId, DateTimeOffset due, CancellationToken cancellationToken = default) =>
        Table.UpsertEntityAsync(new TableEntity(DuePartition, DueKey(due, orgId, sourceId)), TableUpdateMode.Replace, cancellationToken);

    public async Task UnscheduleAsync(DueRefresh due, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(due);
        try
        {
            await Table.DeleteEntityAsync(DuePartition, DueKey(due.Due, due.OrgId, due.SourceId), ETag.All, cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
        }
    }

    /// <summary>Scheduled refreshes due at or before <paramref name="now"/>, oldest first.</summary>
    public async Task<IReadOnlyList<DueRefresh>> ListDueAsync(DateTimeOffset now, int max, CancellationToken cancellationToken = default)
    {
        var upper = StorageKeys.OldestFirst(now.AddTicks(1));
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {DuePartition} and RowKey lt {upper}");
        var due = new List<DueRefresh>();
        await foreach (var row in Table.QueryAsync<TableEntity>(filter, select: ["RowKey"], cancellationToken: cancellationToken))
        {
            var parts = row.RowKey.Split('|');
            if (parts.Length == 3 && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks))
            {
                due.Add(new DueRefresh(parts[1], parts[2], new DateTimeOffset(ticks, TimeSpan.Zero)));
            }

            if (due.Count >= max)
            {
                break;
            }
        }

        return due;
    }

    private static string DueKey(DateTimeOffset due, string orgId, string sourceId) => $"{StorageKeys.OldestFirst(due)}|{orgId}|{sourceId}";

    private static string ContentBlob(string orgId, string sourceId) => $"{orgId}/{sourceId}.txt";

    private static string FileBlob(string orgId, string sourceId) => $"{orgId}/{sourceId}";

    private static string Prefix(string orgId) =>
        TableClient.CreateQueryFilter($"PartitionKey eq {orgId} and RowKey ge {RowPrefix} and RowKey lt {"s}"}");

    internal sealed class SourceEntity : ITableEntity
    {
        public string PartitionKey { get; set; } = "";

        public string RowKey { get; set; } = "";

        public DateTimeOffset? Timestamp { get; set; }

        public ETag ETag { get; set; }

        public string Type { get; set; } = "";

        public string Title { get; set; } = "";

        public string? Url { get; set; }

        public int? RefreshIntervalHours { get; set; }

        public DateTimeOffset CreatedAt { get; set; }

        public string CreatedBy { get; set; } = "";

        /// <summary>The job id whose chunks are the source's current content; null until a job succeeds.</summary>
        public string? Generation { get; set; }

        public int ChunkCount { get; set; }

        public DateTimeOffset? LastSuccessAt { get; set; }

        public DateTimeOffset? LastFailureAt { get; set; }

        public string? LastError { get; set; }

        public int ConsecutiveFailures { get; set; }

        public string? LastJobId { get; set; }

        public string? ActiveJobId { get; set; }

        /// <summary>UTC ticks, not a DateTime: Table Storage keeps DateTimes to the millisecond, and this must equal the schedule row's key exactly.</summary>
        public long? NextRefreshTicks { get; set; }

        public DateTimeOffset? DeletedAt { get; set; }

        public string? FileName { get; set; }

        public string? ContentType { get; set; }

        public long? FileBytes { get; set; }

        public int? MaxPages { get; set; }

        public string? IncludePaths { get; set; }

        public string? Crawl { get; set; }

        public static SourceEntity From(string orgId, SourceRecord s) => new()
        {
            PartitionKey = orgId,
            RowKey = RowPrefix + s.SourceId,
            Type = s.Type.ToString(),
            Title = s.Title,
            Url = s.Url,
            RefreshIntervalHours = s.RefreshIntervalHours,
            CreatedAt = s.CreatedAt,
            CreatedBy = s.CreatedBy,
            Generation = s.Generation,
            ChunkCount = s.ChunkCount,
            LastSuccessAt = s.LastSuccessAt,
            LastFailureAt = s.LastFailureAt,
            LastError = s.LastError,
            ConsecutiveFailures = s.ConsecutiveFailures,
            LastJobId = s.LastJobId,
            ActiveJobId = s.ActiveJobId,
            NextRefreshTicks = s.NextRefreshAt?.UtcTicks,
            DeletedAt = s.DeletedAt,
            FileName = s.FileName,
            ContentType = s.ContentType,
            FileBytes = s.FileBytes,
            MaxPages = s.MaxPages,
            IncludePaths = s.IncludePaths is null ? null : Http.ComxJson.Serialize(s.IncludePaths),
            Crawl = s.Crawl is null ? null : Http.ComxJson.Serialize(s.Crawl),
        };

        public SourceRecord ToRecord() => new(RowKey[RowPrefix.Length..], Enum.Parse<SourceType>(Type), Title, Url, RefreshIntervalHours, CreatedAt, CreatedBy,
            Generation, ChunkCount, LastSuccessAt, LastFailureAt, LastError, ConsecutiveFailures, LastJobId, ActiveJobId)
        {
            NextRefreshAt = NextRefreshTicks is { } ticks ? new DateTimeOffset(ticks, TimeSpan.Zero) : null,
            DeletedAt = DeletedAt,
            FileName = FileName,
            ContentType = ContentType,
            FileBytes = FileBytes,
            MaxPages = MaxPages,
            IncludePaths = IncludePaths is null ? null : Http.ComxJson.Deserialize<List<string>>(IncludePaths),
            Crawl = Crawl is null ? null : Http.ComxJson.Deserialize<CrawlHealth>(Crawl),
        };
    }
}

/// <summary>One entry of the refresh schedule.</summary>
public sealed record DueRefresh(string OrgId, string SourceId, DateTimeOffset Due);
