using System.Text;
using Comx.Core.Http;
using Comx.Core.Storage;

namespace Comx.Core.Knowledge;

public enum SourceType
{
    Url,
    Text,

    /// <summary>An uploaded file (<c>POST /org/v1/sources/files</c>), kept in Blob Storage.</summary>
    File,

    /// <summary>A web site crawled from its url: one source whose pages are its documents.</summary>
    Site,
}

public enum IngestJobStatus
{
    Queued,
    Running,
    Succeeded,
    Failed,
}

/// <summary>A source's health; <see cref="SourceHealth.Rule"/> says exactly how it is derived.</summary>
public enum SourceHealthStatus
{
    Pending,
    Healthy,
    Degraded,
    Failing,
    Stale,
}

/// <summary>What started a job: the API, the source's creation, or the refresh timer.</summary>
public enum IngestTrigger
{
    Api,
    Created,
    Schedule,
}

public sealed record CreateSourceRequest(SourceType Type, string Title, string? Url = null, string? Content = null, int? RefreshIntervalHours = null,
    int? MaxPages = null, IReadOnlyList<string>? IncludePaths = null) : IValidatable
{
    public const int MaxIncludePaths = 20;

    /// <summary>Text sources up to 500 KB of UTF-8 (the request itself is capped at 1 MB).</summary>
    public const int MaxContentBytes = 500 * 1024;
    public const int MaxTitleLength = 200;
    public const int MaxRefreshIntervalHours = 24 * 30;

    public IEnumerable<FieldError> Validate()
    {
        if (string.IsNullOrWhiteSpace(Title) || Title.Trim().Length > MaxTitleLength)
        {
            yield return new FieldError("title", $"title is 1 to {MaxTitleLength} characters.");
        }

        if (Type == SourceType.File)
        {
            yield return new FieldError("type", "A file source is uploaded as multipart/form-data to POST /org/v1/sources/files.");
            yield break;
        }

        if (Type != SourceType.Site && (MaxPages is not null || IncludePaths is not null))
        {
            yield return new FieldError(MaxPages is not null ? "max_pages" : "include_paths", "max_pages and include_paths are for site sources.");
        }

        if (Type == SourceType.Site)
        {
            if (MaxPages is < 1)
            {
                yield return new FieldError("max_pages", "max_pages is at least 1 (at most the plan's limit).");
            }

            if (IncludePaths is { } paths && (paths.Count > MaxIncludePaths || paths.Any(p => p is null || !p.StartsWith('/') || p.Length > 200)))
            {
                yield return new FieldError("include_paths", $"include_paths is up to {MaxIncludePaths} paths, each starting with '/'.");
            }
        }

        if (Type is SourceType.Url or SourceType.Site)
        {
            if (string.IsNullOrWhiteSpace(Url))
            {
                yield return new FieldError("url", "url is required for a url or site source.");
            }

            if (Content is not null)
            {
                yield return new FieldError("content", "content is only for text sources; a url source is fetched.");
            }
        }
        else
        {
            if (string.IsNullOrWhiteSpace(Content) || Encoding.UTF8.GetByteCount(Content) > MaxContentBytes)
            {
                yield return new FieldError("content", $"content is required for a text source, up to {MaxContentBytes / 1024} KB of UTF-8.");
            }

            if (Url is not null)
            {
                yield return new FieldError("url", "url is only for url sources.");
            }

            if (RefreshIntervalHours is not null)
            {
                yield return new FieldError("refresh_interval_hours", "Only url sources are refreshed; a text source changes when it is re-created.");
            }
        }

        if (RefreshIntervalHours is < 1 or > MaxRefreshIntervalHours)
        {
            yield return new FieldError("refresh_interval_hours", $"refresh_interval_hours is 1 to {MaxRefreshIntervalHours}.");
        }
    }
}

public sealed record CreateIngestJobRequest(string SourceId) : IValidatable
{
    public IEnumerable<FieldError> Validate()
    {
        if (string.IsNullOrWhiteSpace(SourceId) || !Storage.StorageKeys.IsSafeKey(SourceId))
        {
            yield return new FieldError("source_id", "source_id is a source id (src_…).");
        }
    }
}

/// <summary>A source as stored, with the health fields its jobs keep up to date.</summary>
public sealed record SourceRecord(
    string SourceId,
    SourceType Type,
    string Title,
    string? Url,
    int? RefreshIntervalHours,
    DateTimeOffset CreatedAt,
    string CreatedBy,
    string? Generation,
    int ChunkCount,
    DateTimeOffset? LastSuccessAt,
    DateTimeOffset? LastFailureAt,
    string? LastError,
    int ConsecutiveFailures,
    string? LastJobId,
    string? ActiveJobId)
{
    /// <summary>When the refresh schedule next runs the source; a schedule row for any other time is stale and dropped.</summary>
    public DateTimeOffset? NextRefreshAt { get; init; }

    /// <summary>Set while the source is being deleted: it is already out of the index and out of every listing.</summary>
    public DateTimeOffset? DeletedAt { get; init; }

    /// <summary>A file source's original file name.</summary>
    public string? FileName { get; init; }

    /// <summary>A file source's media type, as detected at upload.</summary>
    public string? ContentType { get; init; }

    /// <summary>A file source's size in bytes.</summary>
    public long? FileBytes { get; init; }

    /// <summary>A site source's page budget per crawl.</summary>
    public int? MaxPages { get; init; }

    /// <summary>A site source's path prefixes to index (empty: the whole host).</summary>
    public IReadOnlyList<string>? IncludePaths { get; init; }

    /// <summary>The last crawl of a site source: pages fetched, failed and skipped.</summary>
    public CrawlHealth? Crawl { get; init; }
}

/// <summary>A site source's last crawl, shown in its health.</summary>
public sealed record CrawlHealth(int PagesFetched, int PagesFailed, int PagesSkipped, int PagesKeptFromLastCrawl);

public sealed record IngestJobRecord(
    string JobId,
    string SourceId,
    IngestJobStatus Status,
    IngestTrigger Trigger,
    int? ChunkCount,
    string? Error,
    DateTimeOffset CreatedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt,
    int Attempts,
    int Recoveries,
    DateTimeOffset LeaseUntil);

public sealed record SourceResponse(string SourceId, SourceType Type, string Title, string? Url, SourceHealthStatus Status, int? RefreshIntervalHours,
    int ChunkCount, DateTimeOffset CreatedAt, string? LastJobId, string? ActiveJobId)
{
    public static SourceResponse From(SourceRecord source, DateTimeOffset now) => new(source.SourceId, source.Type, source.Title, source.Url,
        SourceHealth.Of(source, now), source.RefreshIntervalHours, source.ChunkCount, source.CreatedAt, source.LastJobId, source.ActiveJobId);
}

public sealed record IngestJobResponse(string JobId, string SourceId, IngestJobStatus Status, int? ChunkCount, string? Error, DateTimeOffset CreatedAt,
    DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt, int Attempts)
{
    public static IngestJobResponse From(IngestJobRecord job) =>
        new(job.JobId, job.SourceId, job.Status, job.ChunkCount, job.Error, job.CreatedAt, job.StartedAt, job.FinishedAt, job.Attempts);
}

public sealed record SourceHealthResponse(string SourceId, SourceHealthStatus Status, int ChunkCount, DateTimeOffset? LastSuccessAt, DateTimeOffset? LastFailureAt,
    string? LastError, int ConsecutiveFailures, string? LastJobId, string? ActiveJobId, int? RefreshIntervalHours)
{
    /// <summary>Site sources: the last crawl's pages fetched, failed (their last good copy still answers) and skipped; null for other types.</summary>
    public CrawlHealth? Crawl { get; init; }

    public static SourceHealthResponse From(SourceRecord s, DateTimeOffset now) => new(s.SourceId, SourceHealth.Of(s, now), s.ChunkCount, s.LastSuccessAt,
        s.LastFailureAt, s.LastError, s.ConsecutiveFailures, s.LastJobId, s.ActiveJobId, s.RefreshIntervalHours) { Crawl = s.Crawl };
}

/// <summary>The queue message of <c>ingest-jobs</c>: which job to run. Versioned by the rule of <see cref="QueueMessages"/>.</summary>
public sealed record IngestJobMessage(int Version, string OrgId, string JobId) : IQueueMessage
{
    public const int CurrentVersion = 1;

    public static IngestJobMessage For(string orgId, string jobId) => new(CurrentVersion, orgId, jobId);
}

/// <summary>Derives a source's health from its job history.</summary>
public static class SourceHealth
{
    /// <summary>Consecutive failures from which a source with content counts as failing rather than degraded.</summary>
    public const int FailingAfter = 3;

    /// <summary>The rule, as the OpenAPI document states it.</summary>
    public const string Rule =
        "pending: no job has finished yet. failing: the last 3 or more jobs failed, or no job ever succeeded and one has failed. " +
        "degraded: the last job failed but an earlier one succeeded, so that content still answers. " +
        "stale: the last job succeeded but a source with refresh_interval_hours has not succeeded for more than twice that interval. " +
        "healthy: otherwise.";

    public static SourceHealthStatus Of(SourceRecord source, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (source.LastSuccessAt is null && source.ConsecutiveFailures == 0)
        {
            return SourceHealthStatus.Pending;
        }

        if (source.ConsecutiveFailures >= FailingAfter || (source.LastSuccessAt is null && source.ConsecutiveFailures > 0))
        {
            return SourceHealthStatus.Failing;
        }

        if (source.ConsecutiveFailures > 0)
        {
            return SourceHealthStatus.Degraded;
        }

        return source.RefreshIntervalHours is { } hours && now - source.LastSuccessAt > TimeSpan.FromHours(2 * hours)
            ? SourceHealthStatus.Stale
            : SourceHealthStatus.Healthy;
    }
}

/// <summary><c>PATCH /org/v1/sources/{sourceId}</c>: any of the fields; absent or null leaves one alone.</summary>
public sealed record UpdateSourceRequest(string? Title = null, string? Url = null, string? Content = null, int? RefreshIntervalHours = null) : IValidatable
{
    public IEnumerable<FieldError> Validate()
    {
        if (Title is null && Url is null && Content is null && RefreshIntervalHours is null)
        {
            yield return new FieldError("body", "Give at least one of title, url, content, refresh_interval_hours.");
        }

        if (Title is not null && (string.IsNullOrWhiteSpace(Title) || Title.Trim().Length > CreateSourceRequest.MaxTitleLength))
        {
            yield return new FieldError("title", $"title is 1 to {CreateSourceRequest.MaxTitleLength} characters.");
        }

        if (Url is not null && string.IsNullOrWhiteSpace(Url))
        {
            yield return new FieldError("url", "url must not be empty.");
        }

        if (Content is not null && (string.IsNullOrWhiteSpace(Content) || Encoding.UTF8.GetByteCount(Content) > CreateSourceRequest.MaxContentBytes))
        {
            yield return new FieldError("content", $"content is 1 byte to {CreateSourceRequest.MaxContentBytes / 1024} KB of UTF-8.");
        }

        if (RefreshIntervalHours is < 0 or > CreateSourceRequest.MaxRefreshIntervalHours)
        {
            yield return new FieldError("refresh_interval_hours", $"refresh_interval_hours is 1 to {CreateSourceRequest.MaxRefreshIntervalHours}, or 0 to stop refreshing.");
        }
    }

    /// <summary>The rules that depend on the stored source's type: a text source has no url, a url source no content.</summary>
    public IEnumerable<FieldError> ValidateFor(SourceType type)
    {
        if (Url is not null && type is not (SourceType.Url or SourceType.Site))
        {
            yield return new FieldError("url", $"A {type.ToString().ToLowerInvariant()} source has no url.");
        }

        if (Content is not null && type != SourceType.Text)
        {
            yield return new FieldError("content", type == SourceType.File
                ? "A file source changes by uploading the file again."
                : "content is only for text sources; a url source is fetched.");
        }

        if (RefreshIntervalHours is not null && type is not (SourceType.Url or SourceType.Site))
        {
            yield return new FieldError("refresh_interval_hours", "Only url and site sources are refreshed.");
        }
    }
}

/// <summary>A file received by <c>POST /org/v1/sources/files</c>.</summary>
public sealed record UploadedFile(string FileName, string ContentType, ReadOnlyMemory<byte> Content);

/// <summary>One source in full: what it is, its chunk count, last job and health (<c>GET/PATCH /org/v1/sources/{sourceId}</c>).</summary>
public sealed record SourceDetailResponse(string SourceId, SourceType Type, string Title, string? Url, SourceHealthStatus Status, int? RefreshIntervalHours,
    int ChunkCount, DateTimeOffset CreatedAt, string? LastJobId, string? ActiveJobId, string? FileName, string? ContentType, long? FileBytes,
    SourceHealthResponse Health, string? JobId = null)
{
    public static SourceDetailResponse From(SourceRecord s, DateTimeOffset now, string? jobId = null) => new(s.SourceId, s.Type, s.Title, s.Url,
        SourceHealth.Of(s, now), s.RefreshIntervalHours, s.ChunkCount, s.CreatedAt, s.LastJobId, s.ActiveJobId, s.FileName, s.ContentType, s.FileBytes,
        SourceHealthResponse.From(s, now), jobId);
}
