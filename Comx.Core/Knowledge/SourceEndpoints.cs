using Comx.Core.Http;
using Comx.Core.Storage;

namespace Comx.Core.Knowledge;

/// <summary>The source created, with the id of its first ingest job.</summary>
public sealed record CreatedSourceResponse(string SourceId, SourceType Type, string Title, string? Url, SourceHealthStatus Status, int? RefreshIntervalHours,
    DateTimeOffset CreatedAt, string JobId);

/// <summary>Knowledge sources, their ingest jobs and their health. The work itself is <see cref="IngestService"/>'s.</summary>
internal static class SourceEndpoints
{
    public static IEnumerable<RouteDefinition> Routes =>
    [
        new(RouteNames.CreateSource, "POST", Http.Routes.Sources, RouteAuth.Org, CreateSourceAsync)
        {
            RequestType = typeof(CreateSourceRequest), ResponseType = typeof(CreatedSourceResponse), SuccessStatus = 201,
            Summary = "Adds a source (type url or text; text up to 500 KB, read as Markdown) and starts its first ingest job at once: job_id in the response. " +
                "A url must be absolute http(s) and not a refused address (400, details.field url). refresh_interval_hours (url sources, 1-720) re-ingests it on that cadence. " +
                "Counts against the plan's source limit (403, details.reason plan_limit, details.limit).",
        },
        new(RouteNames.ListSources, "GET", Http.Routes.Sources, RouteAuth.Org, ListSourcesAsync)
        {
            ResponseType = typeof(ListResponse<SourceResponse>), Paged = true,
            Summary = "Sources, oldest first, each with its health status. " + SourceHealth.Rule,
        },
        new(RouteNames.CreateIngestJob, "POST", Http.Routes.IngestJobs, RouteAuth.Org, CreateJobAsync)
        {
            RequestType = typeof(CreateIngestJobRequest), ResponseType = typeof(IngestJobResponse), SuccessStatus = 202,
            Summary = "Re-ingests a source: queues a job and returns it (status queued). A source has one active job at a time: while one is queued or running, that job is returned.",
        },
        new(RouteNames.GetIngestJob, "GET", Http.Routes.IngestJob, RouteAuth.Org, GetJobAsync)
        {
            ResponseType = typeof(IngestJobResponse),
            Summary = "An ingest job: queued, running, succeeded (chunk_count) or failed (error). A job whose worker died is retried within minutes, and failed after 2 retries.",
        },
        new(RouteNames.GetSourceHealth, "GET", Http.Routes.SourceHealth, RouteAuth.Org, GetHealthAsync)
        {
            ResponseType = typeof(SourceHealthResponse),
            Summary = "A source's health from its job history. " + SourceHealth.Rule + " A failed re-ingest keeps the last good content answering.",
        },
    ];

    private static async Task<ApiResult> CreateSourceAsync(RequestContext context, CancellationToken cancellationToken)
    {
        var caller = context.Org;
        var created = await context.Service<IngestService>().CreateSourceAsync(caller.OrgId, caller.Stamp, context.BodyAs<CreateSourceRequest>(), cancellationToken);
        if (created.Error is { } error)
        {
            return error;
        }

        var (s, job) = created.Value;
        return ApiResult.Created(new CreatedSourceResponse(s.SourceId, s.Type, s.Title, s.Url, SourceHealthStatus.Pending, s.RefreshIntervalHours, s.CreatedAt, job.JobId));
    }

    private static async Task<ApiResult> ListSourcesAsync(RequestContext context, CancellationToken cancellationToken)
    {
        var page = PageRequest.From(context);
        if (page.Error is { } pageError)
        {
            return pageError;
        }

        var now = context.Service<TimeProvider>().GetUtcNow();
        var sources = await context.Service<SourceStore>().ListAsync(context.Org.OrgId, page.Value!, cancellationToken);
        return ApiResult.Ok(new ListResponse<SourceResponse>([.. sources.Data.Select(s => SourceResponse.From(s, now))], sources.NextCursor));
    }

    private static async Task<ApiResult> CreateJobAsync(RequestContext context, CancellationToken cancellationToken)
    {
        var request = context.BodyAs<CreateIngestJobRequest>();
        var job = await context.Service<IngestService>().StartJobAsync(context.Org.OrgId, request.SourceId, IngestTrigger.Api, cancellationToken: cancellationToken);
        return job is null ? ApiError.NotFound("source") : ApiResult.Accepted(IngestJobResponse.From(job));
    }

    private static async Task<ApiResult> GetJobAsync(RequestContext context, CancellationToken cancellationToken)
    {
        var job = await context.Service<IngestJobStore>().GetAsync(context.Org.OrgId, context.Value("jobId"), cancellationToken);
        return job is null ? ApiError.NotFound("ingest job") : ApiResult.Ok(IngestJobResponse.From(job));
    }

    private static async Task<ApiResult> GetHealthAsync(RequestContext context, CancellationToken cancellationToken)
    {
        var source = await context.Service<SourceStore>().GetAsync(context.Org.OrgId, context.Value("sourceId"), cancellationToken);
        return source is null ? ApiError.NotFound("source") : ApiResult.Ok(SourceHealthResponse.From(source, context.Service<TimeProvider>().GetUtcNow()));
    }
}
