using Comx.Core.Billing;
using Comx.Core.Knowledge.Content;
using Comx.Core.Http;
using Comx.Core.Network;

namespace Comx.Core.Knowledge;

/// <summary>Changing, deleting and uploading sources: the parts of a source's life after its creation.</summary>
public sealed partial class IngestService
{
    /// <summary>
    /// Applies a PATCH: title, url (url sources), content (text sources), refresh interval (url sources; 0 stops it).
    /// A changed url or content starts a re-ingest (its job in the result); a new title is republished at once so
    /// citations carry it. Null when the source does not exist.
    /// </summary>
    public async Task<ApiResultOr<(SourceRecord Source, IngestJobRecord? Job)>> UpdateSourceAsync(string orgId, string sourceId, UpdateSourceRequest request,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var before = await sources.GetAsync(orgId, sourceId, cancellationToken);
        if (before is null or { DeletedAt: not null })
        {
            return ApiError.NotFound("source");
        }

        if (request.ValidateFor(before.Type).FirstOrDefault() is { } wrong)
        {
            return ApiError.Validation([wrong]);
        }

        var url = request.Url?.Trim();
        if (url is not null && NetworkGuard.ValidateTargetUrl(url, "url", network.Value.AllowPrivateTargets) is { } refused)
        {
            return ApiError.Validation([refused]);
        }

        var contentChanged = false;
        if (request.Content is { } content)
        {
            var stored = await sources.GetContentAsync(orgId, sourceId, cancellationToken);
            contentChanged = stored is null || !stored.AsSpan().SequenceEqual(System.Text.Encoding.UTF8.GetBytes(content));
            if (contentChanged)
            {
                await sources.PutContentAsync(orgId, sourceId, content, cancellationToken);
            }
        }

        var now = time.GetUtcNow();
        int? interval = request.RefreshIntervalHours switch
        {
            null => before.RefreshIntervalHours,
            0 => null,
            var hours => hours,
        };
        var intervalChanged = interval != before.RefreshIntervalHours;
        DateTimeOffset? nextRefresh = intervalChanged ? interval is { } h ? now.AddHours(h) : null : before.NextRefreshAt;
        var after = await sources.UpdateAsync(orgId, sourceId, s => s.DeletedAt is not null ? null : s with
        {
            Title = request.Title?.Trim() ?? s.Title,
            Url = url ?? s.Url,
            RefreshIntervalHours = interval,
            NextRefreshAt = nextRefresh,
        }, cancellationToken);
        if (after is null or { DeletedAt: not null })
        {
            return ApiError.NotFound("source");
        }

        if (intervalChanged)
        {
            // The new time first: the old row, if it fires before it is dropped, no longer matches NextRefreshAt.
            if (nextRefresh is { } next)
            {
                await sources.ScheduleAsync(orgId, sourceId, next, cancellationToken);
            }

            if (before.NextRefreshAt is { } old)
            {
                await sources.UnscheduleAsync(new DueRefresh(orgId, sourceId, old), cancellationToken);
            }
        }

        IngestJobRecord? job = null;
        if (contentChanged || (url is not null && url != before.Url))
        {
            job = await StartJobAsync(orgId, sourceId, IngestTrigger.Api, cancellationToken: cancellationToken);
        }
        else if (after.Title != before.Title && after.Generation is not null)
        {
            await PublishIndexAsync(orgId, cancellationToken);
        }

        return (after, job);
    }

    /// <summary>
    /// Deletes a source. Its chunks leave the published index before this returns: the source is first marked deleted
    /// (every later compile leaves it out), then the org's index is recompiled and its stamp moved, then the chunks,
    /// blobs and row go. A crash part-way leaves the mark, and a retried delete finishes the job. False: no such source.
    /// </summary>
    public async Task<bool> DeleteSourceAsync(string orgId, string sourceId, CancellationToken cancellationToken = default)
    {
        var source = await sources.GetAsync(orgId, sourceId, cancellationToken);
        if (source is null)
        {
            return false;
        }

        var now = time.GetUtcNow();
        var marked = await sources.UpdateAsync(orgId, sourceId, s => s.DeletedAt is null ? s with { DeletedAt = now } : null, cancellationToken);
        if (marked is null)
        {
            return false;
        }

        await PublishIndexAsync(orgId, cancellationToken);
        await chunks.DeleteOtherGenerationsAsync(orgId, sourceId, keep: null, cancellationToken);
        await sources.DeleteAsync(orgId, marked, cancellationToken);
        if (marked.DeletedAt == now)
        {
            // Only the request that marked the source gives its plan slot back, so a retried delete does not give two.
            await slots.ReleaseAsync(orgId, SourceSlots, cancellationToken);
        }
        if (marked.ActiveJobId is { } activeJob)
        {
            await jobs.RemoveActiveAsync(orgId, activeJob, cancellationToken);
        }

        LogSourceDeleted(logger, orgId, sourceId);
        return true;
    }

    /// <summary>Creates a file source: the file goes to Blob Storage first, then the source row and its first job.</summary>
    public async Task<ApiResultOr<(SourceRecord Source, IngestJobRecord Job)>> CreateFileSourceAsync(string orgId, string createdBy, UploadedFile file, string title,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(file);
        var now = time.GetUtcNow();
        var org = await directory.GetOrgAsync(orgId, cancellationToken);
        if (org is null)
        {
            return ApiError.NotFound("organisation");
        }

        if (PlanCatalog.Check(org.Billing, PlanLimit.Sources, 0, now) is { } inactive)
        {
            return inactive;
        }

        var limit = PlanCatalog.Limit(org.Billing.Plan, PlanLimit.Sources);
        if (!await slots.TryReserveAsync(orgId, SourceSlots, limit, ct => sources.CountAsync(orgId, ct), cancellationToken))
        {
            return PlanCatalog.Check(org.Billing, PlanLimit.Sources, limit, now)!;
        }

        var sourceId = ids.NewSortable("src", now);
        var jobId = ids.New("job");
        var source = new SourceRecord(sourceId, SourceType.File, title, Url: null, RefreshIntervalHours: null, now, createdBy,
            Generation: null, ChunkCount: 0, LastSuccessAt: null, LastFailureAt: null, LastError: null, ConsecutiveFailures: 0, LastJobId: null, ActiveJobId: jobId)
        {
            FileName = file.FileName,
            ContentType = file.ContentType,
            FileBytes = file.Content.Length,
        };
        try
        {
            await sources.PutFileAsync(orgId, sourceId, file.Content, cancellationToken);
            await sources.AddAsync(orgId, source, content: null, cancellationToken);
        }
        catch
        {
            await slots.ReleaseAsync(orgId, SourceSlots, CancellationToken.None);
            throw;
        }
        var job = NewJob(jobId, sourceId, IngestTrigger.Created, now);
        await jobs.AddAsync(orgId, job, cancellationToken);
        await EnqueueAsync(orgId, jobId, cancellationToken);
        return (source, job);
    }

    /// <summary>A single-document source's chunks.</summary>
    private async Task<ApiResultOr<(IReadOnlyList<ChunkDraft> Drafts, CrawlHealth? Crawl)>> ReadDraftsAsync(string orgId, SourceRecord source,
        CancellationToken cancellationToken)
    {
        var document = await ReadDocumentAsync(orgId, source, cancellationToken);
        if (document.Error is { } error)
        {
            return error;
        }

        return (Chunker.Chunk(source.SourceId, document.Value!), null);
    }

    /// <summary>
    /// A site source's chunks: every page the crawl fetched and could read, each chunk citing its page; a page that failed
    /// this time keeps the chunks of its last good copy (from the source's current generation). Fails only when nothing
    /// is readable at all.
    /// </summary>
    private async Task<ApiResultOr<(IReadOnlyList<ChunkDraft> Drafts, CrawlHealth? Crawl)>> ReadSiteAsync(string orgId, SourceRecord source,
        CancellationToken cancellationToken)
    {
        var result = await crawler.CrawlAsync(new Uri(source.Url!), source.MaxPages ?? 1, source.IncludePaths ?? [], cancellationToken);
        var drafts = new List<ChunkDraft>();
        var unreadable = new List<string>();
        foreach (var page in result.Pages)
        {
            var url = page.Url.ToString();
            var extracted = ContentExtractor.Extract(page.Content, page.ContentType, url);
            if (!extracted.Succeeded)
            {
                unreadable.Add(url);
                continue;
            }

            // The page url in the chunk id's input keeps ids unique across pages; ordinals run on across the whole site.
            var offset = drafts.Count;
            drafts.AddRange(Chunker.Chunk(source.SourceId + "#" + url, extracted.Document).Select(d => d with { Ordinal = offset + d.Ordinal, PageUrl = url }));
        }

        var kept = 0;
        if (source.Generation is { } previous && result.Failed.Count > 0)
        {
            HashSet<string> failed = [.. result.Failed.Select(u => u.ToString())];
            var old = await chunks.ReadAsync(orgId, source.SourceId, previous, cancellationToken);
            foreach (var page in old.Where(c => c.PageUrl is not null && failed.Contains(c.PageUrl)).GroupBy(c => c.PageUrl))
            {
                kept++;
                var offset = drafts.Count;
                drafts.AddRange(page.OrderBy(c => c.Ordinal).Select((c, i) => new ChunkDraft(c.ChunkId, offset + i, c.Heading, c.Text) { PageUrl = c.PageUrl }));
            }
        }

        if (drafts.Count == 0)
        {
            return Expected($"The crawl of {source.Url} found no readable page ({result.Pages.Count} fetched, {result.Failed.Count} failed, {result.Skipped} skipped).");
        }

        return (drafts, new CrawlHealth(result.Pages.Count - unreadable.Count, result.Failed.Count + unreadable.Count, result.Skipped, kept));
    }

    [Microsoft.Extensions.Logging.LoggerMessage(Level = Microsoft.Extensions.Logging.LogLevel.Information, Message = "Source {SourceId} (org {OrgId}) deleted and its chunks removed from the index.")]
    private static partial void LogSourceDeleted(Microsoft.Extensions.Logging.ILogger logger, string orgId, string sourceId);
}
