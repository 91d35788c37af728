using Comx.Core.Billing;
using Comx.Core.Http;
using Comx.Core.Identity;
using Comx.Core.Events;
using Comx.Core.Knowledge.Content;
using Comx.Core.Knowledge.Retrieval;
using Comx.Core.Network;
using Comx.Core.Storage;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Comx.Core.Knowledge;

/// <summary>
/// Sources and their ingest jobs, end to end: creating a source (guarded URL, plan limit, first job), starting a job,
/// running it from the queue, recovering jobs whose worker died, and scheduled refreshes. Both hosts and the DevHost
/// seed go through here.
/// </summary>
/// <remarks>
/// A job: claim it (ETag), fetch or read the text, extract, chunk, write the chunks as a new generation (the job id,
/// so a redelivery rewrites the same rows), switch the source to that generation, compile the organisation's index from
/// every source's current generation and publish it, delete the source's other generations, raise the event, finish
/// the job. Chat reads only the published index, so it never sees half a source. The switch comes before the compile
/// so any later compile (another source's job) includes it. Expected failures (fetch, HTTP status, unsupported or
/// empty content) fail the job and count against the source's health without throwing; the previous generation
/// keeps answering. Anything unexpected releases the job and throws, so the queue retries it and then poisons it;
/// <see cref="RecoverStuckJobsAsync"/> retries or fails whatever stays unfinished past its lease.
/// A source has at most one active job: starting another returns the active one.
/// </remarks>
public sealed partial class IngestService(
    SourceStore sources,
    IngestJobStore jobs,
    ChunkStore chunks,
    RetrievalIndexStore indexes,
    GuardedHttpClient http,
    Crawling.SiteCrawler crawler,
    EventStore events,
    OrgDirectory directory,
    CountedSlots slots,
    QueueSender queue,
    IdGenerator ids,
    TimeProvider time,
    IOptions<NetworkOptions> network,
    IEmbeddingGenerator<string, Embedding<float>> embeddings,
    ILogger<IngestService> logger)
{
    /// <summary>
    /// How long a queued or running job may go without progress before the sweep retries it. A running job renews it every
    /// <see cref="LeaseRenewal"/>, so a long job keeps it and a job whose process died loses it within a minute; with the
    /// sweep every 30 s, a crash mid-job is retried within about 90 s of the lease's last renewal.
    /// </summary>
    public static readonly TimeSpan Lease = TimeSpan.FromMinutes(1);

    /// <summary>How often a running job renews its lease.</summary>
    public static readonly TimeSpan LeaseRenewal = TimeSpan.FromSeconds(20);

    /// <summary>How many times the sweep re-enqueues a stuck job before failing it.</summary>
    public const int MaxRecoveries = 2;

    private const int MaxRefreshesPerRun = 500;

    /// <summary>The <see cref="CountedSlots"/> name for an organisation's sources (a source delete releases one).</summary>
    public const string SourceSlots = "sources";

    /// <summary>Text sources are read as Markdown: plain text is valid Markdown, and <c>#</c> headings then divide it into sections.</summary>
    private const string TextSourceContentType = "text/markdown; charset=utf-8";

    public async Task<ApiResultOr<(SourceRecord Source, IngestJobRecord Job)>> CreateSourceAsync(string orgId, string createdBy, CreateSourceRequest request,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Type is SourceType.Url or SourceType.Site && NetworkGuard.ValidateTargetUrl(request.Url, "url", network.Value.AllowPrivateTargets) is { } refused)
        {
            return ApiError.Validation([refused]);
        }

        var now = time.GetUtcNow();
        var org = await directory.GetOrgAsync(orgId, cancellationToken);
        if (org is null)
        {
            return ApiError.NotFound("organisation");
        }

        // Trial, subscription state and plan first; then a slot reserved before the source is stored, so concurrent
        // creations can never store more than the plan allows.
        if (PlanCatalog.Check(org.Billing, PlanLimit.Sources, 0, now) is { } inactive)
        {
            return inactive;
        }

        var pageLimit = (int)PlanCatalog.Limit(org.Billing.Plan, PlanLimit.SitePages);
        if (request.Type == SourceType.Site && request.MaxPages > pageLimit)
        {
            return ApiError.Forbidden($"The {org.Billing.Plan.ToString().ToLowerInvariant()} plan crawls at most {pageLimit} pages of a site.", "plan_limit", pageLimit);
        }

        var limit = PlanCatalog.Limit(org.Billing.Plan, PlanLimit.Sources);
        if (!await slots.TryReserveAsync(orgId, SourceSlots, limit, ct => sources.CountAsync(orgId, ct), cancellationToken))
        {
            return PlanCatalog.Check(org.Billing, PlanLimit.Sources, limit, now)!;
        }

        var sourceId = ids.NewSortable("src", now);
        var jobId = ids.New("job");
        var source = new SourceRecord(sourceId, request.Type, request.Title.Trim(), request.Url?.Trim(), request.RefreshIntervalHours, now, createdBy,
            Generation: null, ChunkCount: 0, LastSuccessAt: null, LastFailureAt: null, LastError: null, ConsecutiveFailures: 0, LastJobId: null, ActiveJobId: jobId)
        {
            NextRefreshAt = request.RefreshIntervalHours is { } interval ? now.AddHours(interval) : null,
            MaxPages = request.Type == SourceType.Site ? request.MaxPages ?? pageLimit : null,
            IncludePaths = request.Type == SourceType.Site ? request.IncludePaths ?? [] : null,
        };
        try
        {
            await sources.AddAsync(orgId, source, request.Type == SourceType.Text ? request.Content : null, cancellationToken);
        }
        catch
        {
            await slots.ReleaseAsync(orgId, SourceSlots, CancellationToken.None);
            throw;
        }

        if (request.RefreshIntervalHours is { } hours)
        {
            await sources.ScheduleAsync(orgId, sourceId, now.AddHours(hours), cancellationToken);
        }

        var job = NewJob(jobId, sourceId, IngestTrigger.Created, now);
        await jobs.AddAsync(orgId, job, cancellationToken);
        await EnqueueAsync(orgId, jobId, cancellationToken);
        return (source, job);
    }

    /// <summary>
    /// Starts a job for the source, or returns its active (queued or running) one. Null when the source does not exist.
    /// A given <paramref name="jobId"/> makes the start idempotent: a job that already exists under it is returned, not
    /// enqueued again (the refresh timer's once-per-due-time claim).
    /// </summary>
    public async Task<IngestJobRecord?> StartJobAsync(string orgId, string sourceId, IngestTrigger trigger, string? jobId = null,
        CancellationToken cancellationToken = default)
    {
        jobId ??= ids.New("job");
        for (var attempt = 0; ; attempt++)
        {
            var source = await sources.GetAsync(orgId, sourceId, cancellationToken);
            if (source is null)
            {
                return null;
            }

            if (source.ActiveJobId is { } activeId && activeId != jobId
                && await jobs.GetAsync(orgId, activeId, cancellationToken) is { Status: IngestJobStatus.Queued or IngestJobStatus.Running } active)
            {
                return active;
            }

            var seen = source.ActiveJobId;
            var claimed = await sources.UpdateAsync(orgId, sourceId, s => s.ActiveJobId == seen || s.ActiveJobId == jobId ? s with { ActiveJobId = jobId } : null,
                cancellationToken);
            if (claimed?.ActiveJobId != jobId)
            {
                // Another request started a job in between: go round and return it.
                if (attempt < 5)
                {
                    continue;
                }

                throw new InvalidOperationException($"Source {sourceId} kept changing while a job was being started.");
            }

            var now = time.GetUtcNow();
            var job = NewJob(jobId, sourceId, trigger, now);
            if (await jobs.AddAsync(orgId, job, cancellationToken))
            {
                await EnqueueAsync(orgId, jobId, cancellationToken);
                return job;
            }

            // The job already exists: another instance claimed the same due time, or this is a retried start.
            var existing = (await jobs.GetAsync(orgId, jobId, cancellationToken))!;
            if (existing.Status is IngestJobStatus.Succeeded or IngestJobStatus.Failed)
            {
                await sources.UpdateAsync(orgId, sourceId, s => s.ActiveJobId == jobId ? s with { ActiveJobId = null } : null, cancellationToken);
                await jobs.RemoveActiveAsync(orgId, jobId, cancellationToken);
            }

            return existing;
        }
    }

    /// <summary>The queue job: runs one ingest job. Throws only for the unexpected (the queue then retries it).</summary>
    public async Task RunAsync(IngestJobMessage message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message.Version != IngestJobMessage.CurrentVersion)
        {
            throw new InvalidOperationException($"Unknown ingest message version {message.Version}.");
        }

        var job = await ClaimAsync(message.OrgId, message.JobId, requireExpiredLease: false, cancellationToken);
        if (job is null)
        {
            LogNotClaimed(logger, message.OrgId, message.JobId);
            return;
        }

        using var heartbeat = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var renewing = KeepLeaseAsync(message.OrgId, job, heartbeat.Token);
        try
        {
            await RunClaimedAsync(message.OrgId, job, cancellationToken);
        }
        catch (Exception exception)
        {
            LogUnexpected(logger, exception, message.OrgId, job.JobId, job.Attempts);
            await ReleaseAsync(message.OrgId, job, exception);
            throw;
        }
        finally
        {
            await heartbeat.CancelAsync();
            await renewing;
        }
    }

    /// <summary>Renews a running job's lease until the run ends; only this attempt's lease, so a reclaimed job is left alone.</summary>
    private async Task KeepLeaseAsync(string orgId, IngestJobRecord job, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                await Task.Delay(LeaseRenewal, time, cancellationToken);
                var now = time.GetUtcNow();
                await jobs.UpdateAsync(orgId, job.JobId, j => j.Status == IngestJobStatus.Running && j.Attempts == job.Attempts
                    ? j with { LeaseUntil = now + Lease }
                    : null, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception exception) when (ProviderFailure.IsUnavailable(exception) || exception is Azure.RequestFailedException or InvalidOperationException)
        {
            // The lease then runs out and the sweep retries the job; the run itself decides its own outcome.
            LogRenewalFailed(logger, exception, orgId, job.JobId);
        }
    }

    /// <summary>
    /// The stuck-job sweep: every queued or running job whose lease has run out (its worker died, its message was lost
    /// or poisoned) is re-enqueued, up to <see cref="MaxRecoveries"/> times, and then failed, visibly on the job and the
    /// source. Reads only the active-jobs index.
    /// </summary>
    public async Task<int> RecoverStuckJobsAsync(CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var handled = 0;
        foreach (var (orgId, jobId, indexedAt) in await jobs.ListActiveAsync(cancellationToken))
        {
            try
            {
                handled += await RecoverAsync(orgId, jobId, indexedAt, now, cancellationToken);
            }
            catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                // One job that cannot be recovered (unreadable rows, a storage hiccup) must not hold up every other job.
                LogSweepFailed(logger, exception, orgId, jobId);
            }
        }

        return handled;
    }

    private async Task<int> RecoverAsync(string orgId, string jobId, DateTimeOffset indexedAt, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var handled = 0;
        {
            var job = await jobs.GetAsync(orgId, jobId, cancellationToken);
            if (job is null || job.Status is IngestJobStatus.Succeeded or IngestJobStatus.Failed)
            {
                // A missing job may still be being added (the index row is written first); give it a lease's grace.
                if (job is not null || now - indexedAt > Lease)
                {
                    await jobs.RemoveActiveAsync(orgId, jobId, cancellationToken);
                }

                return handled;
            }

            if (job.LeaseUntil > now)
            {
                return handled;
            }

            if (job.Recoveries < MaxRecoveries)
            {
                IngestJobRecord? requeued = null;
                await jobs.UpdateAsync(orgId, jobId, j =>
                    requeued = j.Status is IngestJobStatus.Queued or IngestJobStatus.Running && j.LeaseUntil <= now
                        ? j with { Status = IngestJobStatus.Queued, Recoveries = j.Recoveries + 1, LeaseUntil = now + Lease }
                        : null, cancellationToken);
                if (requeued is not null)
                {
                    LogRecovered(logger, orgId, jobId, requeued.Recoveries, job.Status.ToString());
                    await EnqueueAsync(orgId, jobId, cancellationToken);
                    handled++;
                }
            }
            else if (await ClaimAsync(orgId, jobId, requireExpiredLease: true, cancellationToken) is { } claimed)
            {
                var reason = $"The job did not finish after {claimed.Attempts - 1} attempts and {claimed.Recoveries} retries" +
                    (claimed.Error is { } last ? $" (last: {last})" : "") + "; it was given up.";
                LogGivenUp(logger, orgId, jobId, claimed.Attempts - 1);
                await FailAsync(orgId, claimed, reason, cancellationToken);
                handled++;
            }
        }

        return handled;
    }

    /// <summary>
    /// Starts a job for every source whose refresh is due, once per due time however many instances run this: the job id
    /// is derived from the source and its due time, so a second instance's add is a 409 and nothing is enqueued twice.
    /// </summary>
    public async Task<int> RefreshDueSourcesAsync(CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var started = 0;
        foreach (var due in await sources.ListDueAsync(now, MaxRefreshesPerRun, cancellationToken))
        {
            var source = await sources.GetAsync(due.OrgId, due.SourceId, cancellationToken);
            // A row for another time than the source's next refresh was left by a change of interval: drop it.
            if (source is { DeletedAt: null, RefreshIntervalHours: { } hours } && (source.NextRefreshAt is null || source.NextRefreshAt == due.Due))
            {
                var jobId = "job_" + StorageKeys.Hash($"refresh|{due.OrgId}|{due.SourceId}|{due.Due.UtcTicks}");
                if (await StartJobAsync(due.OrgId, due.SourceId, IngestTrigger.Schedule, jobId, cancellationToken) is { JobId: var id } && id == jobId)
                {
                    started++;
                }

                // The next due time after now, on the source's own cadence (a host that was down does not run a backlog).
                var interval = TimeSpan.FromHours(hours);
                var periods = Math.Floor((now - due.Due) / interval) + 1;
                var next = due.Due + (interval * periods);
                await sources.ScheduleAsync(due.OrgId, due.SourceId, next, cancellationToken);
                await sources.UpdateAsync(due.OrgId, due.SourceId, s => s.NextRefreshAt == source.NextRefreshAt ? s with { NextRefreshAt = next } : null, cancellationToken);
            }

            await sources.UnscheduleAsync(due, cancellationToken);
        }

        return started;
    }

    private static IngestJobRecord NewJob(string jobId, string sourceId, IngestTrigger trigger, DateTimeOffset now) =>
        new(jobId, sourceId, IngestJobStatus.Queued, trigger, ChunkCount: null, Error: null, now, StartedAt: null, FinishedAt: null, Attempts: 0, Recoveries: 0,
            LeaseUntil: now + Lease);

    private Task EnqueueAsync(string orgId, string jobId, CancellationToken cancellationToken) =>
        queue.SendAsync(StorageNames.Queues.IngestJobs, IngestJobMessage.For(orgId, jobId), cancellationToken: cancellationToken);

    /// <summary>Marks the job running under a fresh lease; null when it is finished or another worker holds a live lease.</summary>
    private async Task<IngestJobRecord?> ClaimAsync(string orgId, string jobId, bool requireExpiredLease, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        IngestJobRecord? claimed = null;
        await jobs.UpdateAsync(orgId, jobId, j =>
        {
            var claimable = j.Status switch
            {
                IngestJobStatus.Queued => !requireExpiredLease || j.LeaseUntil <= now,
                IngestJobStatus.Running => j.LeaseUntil <= now,
                _ => false,
            };
            claimed = claimable ? j with { Status = IngestJobStatus.Running, Attempts = j.Attempts + 1, StartedAt = j.StartedAt ?? now, LeaseUntil = now + Lease } : null;
            return claimed;
        }, cancellationToken);
        return claimed;
    }

    private async Task RunClaimedAsync(string orgId, IngestJobRecord job, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var source = await sources.GetAsync(orgId, job.SourceId, cancellationToken);
        if (source is null or { DeletedAt: not null })
        {
            await FailAsync(orgId, job, "The source no longer exists.", cancellationToken);
            return;
        }

        var read = source.Type == SourceType.Site ? await ReadSiteAsync(orgId, source, cancellationToken) : await ReadDraftsAsync(orgId, source, cancellationToken);
        if (read.Error is { } error)
        {
            LogFailed(logger, orgId, job.JobId, source.SourceId, error.Message);
            await FailAsync(orgId, job, error.Message, cancellationToken);
            return;
        }

        var (drafts, crawl) = read.Value;
        await chunks.WriteAsync(orgId, source.SourceId, job.JobId, drafts, cancellationToken);
        var now = time.GetUtcNow();
        var switched = await sources.UpdateAsync(orgId, source.SourceId, s => s.DeletedAt is not null ? null : s with
        {
            Generation = job.JobId,
            ChunkCount = drafts.Count,
            LastSuccessAt = now,
            LastError = null,
            ConsecutiveFailures = 0,
            LastJobId = job.JobId,
            ActiveJobId = s.ActiveJobId == job.JobId ? null : s.ActiveJobId,
            Crawl = crawl ?? s.Crawl,
        }, cancellationToken);
        if (switched is null or { DeletedAt: not null })
        {
            // The source was deleted while this job read it: its chunks must not outlive it.
            await chunks.DeleteOtherGenerationsAsync(orgId, source.SourceId, keep: null, cancellationToken);
            await FailAsync(orgId, job, "The source was deleted while it was being ingested.", cancellationToken);
            return;
        }

        var indexed = await PublishIndexAsync(orgId, cancellationToken);
        await chunks.DeleteOtherGenerationsAsync(orgId, source.SourceId, job.JobId, cancellationToken);
        await events.AddAsync(orgId, [EventRecord.Create(EventId(job.JobId), now,
            new IngestSucceededData(job.JobId, source.SourceId, source.Title, "succeeded", drafts.Count))], cancellationToken);
        await jobs.UpdateAsync(orgId, job.JobId, j => j.Status == IngestJobStatus.Running
            ? j with { Status = IngestJobStatus.Succeeded, ChunkCount = drafts.Count, Error = null, FinishedAt = now }
            : null, cancellationToken);
        await jobs.RemoveActiveAsync(orgId, job.JobId, cancellationToken);
        var elapsed = time.GetElapsedTime(started);
        LogSucceeded(logger, orgId, job.JobId, source.SourceId, drafts.Count, indexed, elapsed.TotalMilliseconds);
    }

    /// <summary>The source's document, or the expected failure that prevented it (fetch, status, content type, no text).</summary>
    private async Task<ApiResultOr<ExtractedDocument>> ReadDocumentAsync(string orgId, SourceRecord source, CancellationToken cancellationToken)
    {
        byte[] bytes;
        string? contentType, nameHint;
        if (source.Type == SourceType.Url)
        {
            var fetched = await http.FetchAsync(source.Url!, cancellationToken: cancellationToken);
            if (!fetched.Succeeded)
            {
                return Expected(fetched.Failure.Message);
            }

            (bytes, contentType, nameHint) = (fetched.Content.Content, fetched.Content.ContentType, fetched.Content.FinalUrl.ToString());
        }
        else if (source.Type == SourceType.File)
        {
            var file = await sources.GetFileAsync(orgId, source.SourceId, cancellationToken);
            if (file is null)
            {
                return Expected("The uploaded file is missing; upload it again.");
            }

            (bytes, contentType, nameHint) = (file, source.ContentType, source.FileName);
        }
        else
        {
            var stored = await sources.GetContentAsync(orgId, source.SourceId, cancellationToken);
            if (stored is null)
            {
                return Expected("The source's text is missing; create the source again.");
            }

            (bytes, contentType, nameHint) = (stored, TextSourceContentType, null);
        }

        var extracted = ContentExtractor.Extract(bytes, contentType, nameHint);
        if (!extracted.Succeeded)
        {
            return Expected(extracted.Error.Message);
        }

        return extracted.Document;
    }

    private static ApiError Expected(string message) => new(ErrorCode.ValidationError, message);

    /// <summary>Compiles the organisation's index from every source's current generation and publishes it.</summary>
    internal async Task<int> PublishIndexAsync(string orgId, CancellationToken cancellationToken)
    {
        // Taken before the first read: an index built from reads that started later wins, whichever publishes first.
        var contentAsOf = time.GetUtcNow();
        var all = await sources.ListAllAsync(orgId, cancellationToken);
        var perSource = await Task.WhenAll(all.Where(s => s.Generation is not null).Select(async s =>
            (Source: s, Chunks: await chunks.ReadAsync(orgId, s.SourceId, s.Generation!, cancellationToken))));
        var indexed = perSource.SelectMany(p => p.Chunks.OrderBy(c => c.Ordinal).Select(c =>
            new IndexedChunk(c.ChunkId, p.Source.SourceId, p.Source.Title, c.PageUrl ?? p.Source.Url, c.Heading, Passage(c)))).ToList();
        // Only chunks whose text changed are embedded (with their answer units); the rest take their vectors from the
        // current index.
        var previous = await indexes.GetAsync(orgId, cancellationToken);
        var embedded = await ChunkEmbedding.EmbedAsync(indexed, previous, embeddings, cancellationToken);
        var index = embedded.Build();
        LogEmbedded(logger, orgId, embedded.EmbeddedChunks, indexed.Count - embedded.EmbeddedChunks, embedded.EmbeddedUnits);
        await indexes.PublishAsync(orgId, index, contentAsOf, cancellationToken);
        return index.Count;
    }

    /// <summary>The chunk text without its leading heading line: the index weighs the heading as its own field.</summary>
    private static string Passage(StoredChunk chunk) =>
        chunk.Heading is { } heading && chunk.Text.StartsWith(heading + "\n\n", StringComparison.Ordinal) ? chunk.Text[(heading.Length + 2)..] : chunk.Text;

    /// <summary>Fails a claimed job: counts against the source's health once, raises ingest.failed, and finishes the job.</summary>
    private async Task FailAsync(string orgId, IngestJobRecord job, string error, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        // A redelivered message finds the failure already counted (null): the source is read for its title then.
        var source = await sources.UpdateAsync(orgId, job.SourceId, s => s.LastJobId == job.JobId ? null : s with
        {
            ConsecutiveFailures = s.ConsecutiveFailures + 1,
            LastError = error,
            LastFailureAt = now,
            LastJobId = job.JobId,
            ActiveJobId = s.ActiveJobId == job.JobId ? null : s.ActiveJobId,
        }, cancellationToken) ?? await sources.GetAsync(orgId, job.SourceId, cancellationToken);
        await events.AddAsync(orgId, [EventRecord.Create(EventId(job.JobId), now, new IngestFailedData(job.JobId, job.SourceId, source?.Title, "failed", error))],
            cancellationToken);
        await jobs.UpdateAsync(orgId, job.JobId, j => j.Status is IngestJobStatus.Succeeded or IngestJobStatus.Failed
            ? null
            : j with { Status = IngestJobStatus.Failed, Error = error, FinishedAt = now }, cancellationToken);
        await jobs.RemoveActiveAsync(orgId, job.JobId, cancellationToken);
    }

    /// <summary>Puts a job whose run threw back in the queue's hands; the lease still bounds how long it may stay unfinished.</summary>
    private async Task ReleaseAsync(string orgId, IngestJobRecord job, Exception exception)
    {
        try
        {
            var now = time.GetUtcNow();
            await jobs.UpdateAsync(orgId, job.JobId, j => j.Status == IngestJobStatus.Running && j.Attempts == job.Attempts
                ? j with { Status = IngestJobStatus.Queued, Error = $"Attempt {job.Attempts} failed unexpectedly ({exception.GetType().Name}); retrying.", LeaseUntil = now + Lease }
                : null, CancellationToken.None);
        }
        catch (Exception release) when (release is Azure.RequestFailedException || ProviderFailure.IsUnavailable(release))
        {
            // The lease runs out instead and the sweep takes over.
            LogReleaseFailed(logger, release, orgId, job.JobId);
        }
    }

    /// <summary>The job's one terminal event: derived from the job id, so a retried finish re-raises the same event (a no-op).</summary>
    private static string EventId(string jobId) => "evt_" + jobId["job_".Length..];

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stuck-job sweep skipped job {JobId} (org {OrgId}); the next sweep tries again.")]
    private static partial void LogSweepFailed(ILogger logger, Exception exception, string orgId, string jobId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ingest job {JobId} (org {OrgId}) could not renew its lease.")]
    private static partial void LogRenewalFailed(ILogger logger, Exception exception, string orgId, string jobId);
    [LoggerMessage(Level = LogLevel.Information, Message = "Index for org {OrgId}: embedded {Embedded} changed chunks and {Units} of their answer units, reused {Reused} chunks' vectors.")]
    private static partial void LogEmbedded(ILogger logger, string orgId, int embedded, int reused, int units);

    [LoggerMessage(Level = LogLevel.Information, Message = "Ingest job {JobId} (org {OrgId}) not claimed: finished or held by another worker.")]
    private static partial void LogNotClaimed(ILogger logger, string orgId, string jobId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Ingest job {JobId} (org {OrgId}) ingested source {SourceId}: {Chunks} chunks, index of {Indexed} chunks, {Milliseconds:F0} ms.")]
    private static partial void LogSucceeded(ILogger logger, string orgId, string jobId, string sourceId, int chunks, int indexed, double milliseconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ingest job {JobId} (org {OrgId}) failed for source {SourceId}: {Error}")]
    private static partial void LogFailed(ILogger logger, string orgId, string jobId, string sourceId, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Ingest job {JobId} (org {OrgId}) attempt {Attempt} failed unexpectedly.")]
    private static partial void LogUnexpected(ILogger logger, Exception exception, string orgId, string jobId, int attempt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ingest job {JobId} (org {OrgId}) was {Status} past its lease; re-enqueued (retry {Recoveries}).")]
    private static partial void LogRecovered(ILogger logger, string orgId, string jobId, int recoveries, string status);

    [LoggerMessage(Level = LogLevel.Error, Message = "Ingest job {JobId} (org {OrgId}) given up after {Attempts} attempts.")]
    private static partial void LogGivenUp(ILogger logger, string orgId, string jobId, int attempts);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not release ingest job {JobId} (org {OrgId}) after a failure.")]
    private static partial void LogReleaseFailed(ILogger logger, Exception exception, string orgId, string jobId);
}
