using System.Text;
using Comx.Core.Http;

namespace Comx.Core.Knowledge;

public enum SourceType
{
    Url,
    Text,
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

public sealed record CreateSourceRequest(SourceType Type, string Title, string? Url = null, string? Content = null, int? RefreshIntervalHours = null) : IValidatable
{
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

        if (Type == SourceType.Url)
        {
            if (string.IsNullOrWhiteSpace(Url))
            {
                yield return new FieldError("url", "url is required for a url source.");
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
    string? ActiveJobId);

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
    public static SourceHealthResponse From(SourceRecord s, DateTimeOffset now) => new(s.SourceId, SourceHealth.Of(s, now), s.ChunkCount, s.LastSuccessAt,
        s.LastFailureAt, s.LastError, s.ConsecutiveFailures, s.LastJobId, s.ActiveJobId, s.RefreshIntervalHours);
}

/// <summary>The queue message of <c>ingest-jobs</c>: which job to run. Versioned so the shape can change safely.</summary>
public sealed record IngestJobMessage(int V, string OrgId, string JobId)
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
