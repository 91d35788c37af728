using Comx.Core.Http;
using Comx.Core.Storage;

namespace Comx.Core.Knowledge;

/// <summary>The source created, with the id of its first ingest job.</summary>
public sealed record CreatedSourceResponse(string SourceId, SourceType Type, string Title, string? Url, SourceHealthStatus Status, int? RefreshIntervalHours,
    DateTimeOffset CreatedAt, string JobId);

/// <summary>What the source and ingest-job handlers need, given to them explicitly.</summary>
public sealed record SourceServices(IngestService Ingest, SourceStore Sources, IngestJobStore Jobs, TimeProvider Time);

/// <summary>Knowledge sources, their ingest jobs and their health. The work itself is <see cref="IngestService"/>'s.</summary>
internal static class SourceEndpoints
{
    public static IEnumerable<RouteDefinition> Routes =>
    [
        new(RouteNames.CreateSource, "POST", Http.Routes.Sources, RouteAuth.Org, EndpointServices.With<SourceServices>(CreateSourceAsync))
        {
            RequestType = typeof(CreateSourceRequest), ResponseType = typeof(CreatedSourceResponse), SuccessStatus = 201,
            Summary = "Adds a source (type url or text; text up to 500 KB, read as Markdown) and starts its first ingest job at once: job_id in the response. " +
                "A url must be absolute http(s) and not a refused address (400, details.field url). refresh_interval_hours (url sources, 1-720) re-ingests it on that cadence. " +
                "Counts against the plan's source limit (403, details.reason plan_limit, details.limit).",
        },
        new(RouteNames.ListSources, "GET", Http.Routes.Sources, RouteAuth.Org, EndpointServices.With<SourceServices>(ListSourcesAsync))
        {
            ResponseType = typeof(ListResponse<SourceResponse>), Paged = true,
            Summary = "Sources, oldest first, each with its health status. " + SourceHealth.Rule,
        },
        new(RouteNames.CreateIngestJob, "POST", Http.Routes.IngestJobs, RouteAuth.Org, EndpointServices.With<SourceServices>(CreateJobAsync))
        {
            RequestType = typeof(CreateIngestJobRequest), ResponseType = typeof(IngestJobResponse), SuccessStatus = 202,
            Summary = "Re-ingests a source: queues a job and returns it (status queued). A source has one active job at a time: while one is queued or running, that job is returned.",
        },
        new(RouteNames.GetIngestJob, "GET", Http.Routes.IngestJob, RouteAuth.Org, EndpointServices.With<SourceServices>(GetJobAsync))
        {
            ResponseType = typeof(IngestJobResponse),
            Summary = "An ingest job: queued, running, succeeded (chunk_count) or failed (error). A job whose worker died is retried within minutes, and failed after 2 retries.",
        },
        new(RouteNames.GetSource, "GET", Http.Routes.Source, RouteAuth.Org, EndpointServices.With<SourceServices>(GetSourceAsync))
        {
            ResponseType = typeof(SourceDetailResponse),
            Summary = "One source: its type, title, url or file, chunk_count, last_job_id, active_job_id and health. " + SourceHealth.Rule,
        },
        new(RouteNames.UpdateSource, "PATCH", Http.Routes.Source, RouteAuth.Org, EndpointServices.With<SourceServices>(UpdateSourceAsync))
        {
            RequestType = typeof(UpdateSourceRequest), ResponseType = typeof(SourceDetailResponse),
            Summary = "Changes any of title, url (url sources; guarded like creation), content (text sources) and refresh_interval_hours (url sources; 0 stops " +
                "refreshing). A changed url or content queues a re-ingest and returns its job_id (null when nothing needs re-reading); the current content " +
                "keeps answering until the new job succeeds. A new title shows in citations at once.",
        },
        new(RouteNames.DeleteSource, "DELETE", Http.Routes.Source, RouteAuth.Org, EndpointServices.With<SourceServices>(DeleteSourceAsync))
        {
            SuccessStatus = 204,
            Summary = "Deletes a source, its chunks, its stored text or file and its refresh schedule. Its chunks leave the retrieval index before the " +
                "response is sent: no answer after a 204 cites it, on any instance. A second DELETE is 404 (or the stored 204 with the same Idempotency-Key).",
        },
        new(RouteNames.UploadSourceFile, "POST", Http.Routes.SourceFiles, RouteAuth.Org, EndpointServices.With<SourceServices>(UploadFileAsync))
        {
            FormType = typeof(UploadSourceForm), ResponseType = typeof(CreatedSourceResponse), SuccessStatus = 201,
            MaxBodyBytes = SourceUpload.MaxBodyBytes,
            Summary = "Uploads a file as a source (type file): multipart/form-data with the file in a part named file (PDF, Word .docx, Markdown, plain text " +
                "or HTML; at most 10 MB, the one route above the 1 MB body limit) and an optional title (default: the file name). The file is kept in Blob " +
                "Storage and its first ingest job queued (job_id). 400 for a missing, empty or unsupported file or a non-multipart body; 413 above 10 MB. " +
                "Counts against the plan's source limit.",
        },
        new(RouteNames.GetSourceHealth, "GET", Http.Routes.SourceHealth, RouteAuth.Org, EndpointServices.With<SourceServices>(GetHealthAsync))
        {
            ResponseType = typeof(SourceHealthResponse),
            Summary = "A source's health from its job history. " + SourceHealth.Rule + " A failed re-ingest keeps the last good content answering.",
        },
    ];

    private static async Task<ApiResult> CreateSourceAsync(SourceServices services, RequestContext context, CancellationToken cancellationToken)
    {
        var caller = context.Org;
        var created = await services.Ingest.CreateSourceAsync(caller.OrgId, caller.Stamp, context.BodyAs<CreateSourceRequest>(), cancellationToken);
        if (created.Error is { } error)
        {
            return error;
        }

        var (s, job) = created.Value;
        return ApiResult.Created(new CreatedSourceResponse(s.SourceId, s.Type, s.Title, s.Url, SourceHealthStatus.Pending, s.RefreshIntervalHours, s.CreatedAt, job.JobId));
    }

    private static async Task<ApiResult> ListSourcesAsync(SourceServices services, RequestContext context, CancellationToken cancellationToken)
    {
        var page = PageRequest.From(context);
        if (page.Error is { } pageError)
        {
            return pageError;
        }

        var now = services.Time.GetUtcNow();
        var sources = await services.Sources.ListAsync(context.Org.OrgId, page.Value!, cancellationToken);
        return ApiResult.Ok(new ListResponse<SourceResponse>([.. sources.Data.Select(s => SourceResponse.From(s, now))], sources.NextCursor));
    }

    private static async Task<ApiResult> CreateJobAsync(SourceServices services, RequestContext context, CancellationToken cancellationToken)
    {
        var request = context.BodyAs<CreateIngestJobRequest>();
        var job = await services.Ingest.StartJobAsync(context.Org.OrgId, request.SourceId, IngestTrigger.Api, cancellationToken: cancellationToken);
        return job is null ? ApiError.NotFound("source") : ApiResult.Accepted(IngestJobResponse.From(job));
    }

    private static async Task<ApiResult> GetJobAsync(SourceServices services, RequestContext context, CancellationToken cancellationToken)
    {
        var job = await services.Jobs.GetAsync(context.Org.OrgId, context.Value("jobId"), cancellationToken);
        return job is null ? ApiError.NotFound("ingest job") : ApiResult.Ok(IngestJobResponse.From(job));
    }

    private static async Task<ApiResult> GetSourceAsync(SourceServices services, RequestContext context, CancellationToken cancellationToken)
    {
        var source = await services.Sources.GetAsync(context.Org.OrgId, context.Value("sourceId"), cancellationToken);
        return source is null or { DeletedAt: not null }
            ? ApiError.NotFound("source")
            : ApiResult.Ok(SourceDetailResponse.From(source, services.Time.GetUtcNow()));
    }

    private static async Task<ApiResult> UpdateSourceAsync(SourceServices services, RequestContext context, CancellationToken cancellationToken)
    {
        var updated = await services.Ingest.UpdateSourceAsync(context.Org.OrgId, context.Value("sourceId"),
            context.BodyAs<UpdateSourceRequest>(), cancellationToken);
        if (updated.Error is { } error)
        {
            return error;
        }

        var (source, job) = updated.Value;
        return ApiResult.Ok(SourceDetailResponse.From(source, services.Time.GetUtcNow(), job?.JobId));
    }

    private static async Task<ApiResult> DeleteSourceAsync(SourceServices services, RequestContext context, CancellationToken cancellationToken) =>
        await services.Ingest.DeleteSourceAsync(context.Org.OrgId, context.Value("sourceId"), cancellationToken)
            ? ApiResult.NoContent()
            : ApiError.NotFound("source");

    private static async Task<ApiResult> UploadFileAsync(SourceServices services, RequestContext context, CancellationToken cancellationToken)
    {
        var upload = await SourceUpload.ReadAsync(context.Request.ContentType, context.RawBody, cancellationToken);
        if (upload.Error is { } invalid)
        {
            return invalid;
        }

        var (file, title) = upload.Value;
        var created = await services.Ingest.CreateFileSourceAsync(context.Org.OrgId, context.Org.Stamp, file, title, cancellationToken);
        if (created.Error is { } error)
        {
            return error;
        }

        var (s, job) = created.Value;
        return ApiResult.Created(new CreatedSourceResponse(s.SourceId, s.Type, s.Title, s.Url, SourceHealthStatus.Pending, s.RefreshIntervalHours, s.CreatedAt, job.JobId));
    }

    private static async Task<ApiResult> GetHealthAsync(SourceServices services, RequestContext context, CancellationToken cancellationToken)
    {
        var source = await services.Sources.GetAsync(context.Org.OrgId, context.Value("sourceId"), cancellationToken);
        return source is null or { DeletedAt: not null } ? ApiError.NotFound("source") : ApiResult.Ok(SourceHealthResponse.From(source, services.Time.GetUtcNow()));
    }
}
