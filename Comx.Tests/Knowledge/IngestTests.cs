using System.Diagnostics;
using System.Net;
using Comx.Core.Identity;
using Comx.Core.Jobs;
using Comx.Core.Knowledge;
using Comx.Core.Network;
using Comx.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Comx.Tests.Knowledge;

/// <summary>Sources and ingest jobs end to end: real HTTP, Azurite, a loopback server for the fetched documents.</summary>
[Collection(GlobalSweeps.Name)]
public sealed class IngestTests(SourceServer server, ITestOutputHelper output) : IClassFixture<SourceServer>
{
    private static async Task<IngestDriver> DriverAsync(TestApp app) => new(app, await TestOrg.CreateAsync(app));

    private static string Page(string title, string body) =>
        $"<!doctype html><html><head><title>{title}</title></head><body><main><h1>{title}</h1><p>{body}</p></main></body></html>";

    [Theory]
    [InlineData("page.html", "When are the open mornings?", "open mornings every Tuesday in November")]
    [InlineData("policy.pdf", "Who is the designated safeguarding lead?", "Mrs Patel")]
    [InlineData("guide.md", "Are assistance dogs welcome?", "Assistance dogs are")]
    [InlineData("notes.txt", "How long do you keep pupil records?", "until the pupil reaches 25 years of age")]
    public async Task UrlSource_EachFormat_IsIngestedSearchableAndAnswersCitingIt(string path, string question, string expected)
    {
        await using var app = await TestApp.StartAsync();
        var driver = await DriverAsync(app);

        var created = await driver.CreateSourceAsync(new { type = "url", title = path, url = server.Url(path) });
        var jobId = created.GetProperty("job_id").GetString()!;
        var sourceId = created.GetProperty("source_id").GetString()!;
        Assert.StartsWith("src_", sourceId, StringComparison.Ordinal);
        Assert.Equal("pending", created.GetProperty("status").GetString());
        Assert.Equal("queued", (await driver.JobAsync(jobId)).GetProperty("status").GetString());

        var watch = Stopwatch.StartNew();
        await driver.RunJobAsync(jobId);
        watch.Stop();

        var job = await driver.JobAsync(jobId);
        Assert.Equal("succeeded", job.GetProperty("status").GetString());
        var chunkCount = job.GetProperty("chunk_count").GetInt32();
        Assert.True(chunkCount > 0);
        output.WriteLine($"{path}: {chunkCount} chunks, ingest job {watch.ElapsedMilliseconds} ms");
        var hits = await driver.SearchAsync(question);
        Assert.Contains(expected, hits[0].Chunk.Text, StringComparison.Ordinal);
        Assert.Equal(sourceId, hits[0].Chunk.SourceId);

        var answer = await driver.AskAsync(question);
        Assert.False(answer.GetProperty("fallback").GetBoolean(), answer.ToString());
        Assert.Contains(expected, answer.GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.Contains(sourceId, IngestDriver.CitedSources(answer));

        var health = await driver.HealthAsync(sourceId);
        Assert.Equal("healthy", health.GetProperty("status").GetString());
        Assert.Equal(chunkCount, health.GetProperty("chunk_count").GetInt32());
        Assert.Equal(jobId, health.GetProperty("last_job_id").GetString());
    }

    [Fact]
    public async Task TextSource_WithHeadings_IsChunkedBySectionAndAnswers()
    {
        await using var app = await TestApp.StartAsync();
        var driver = await DriverAsync(app);
        const string Content = "# Clubs\n\nChess club meets on Wednesdays in the library.\n\n# Lunches\n\nHot lunches cost two pounds forty a day.\n";

        var sourceId = await driver.IngestAsync(new { type = "text", title = "Parent FAQ", content = Content });

        var health = await driver.HealthAsync(sourceId);
        Assert.Equal(2, health.GetProperty("chunk_count").GetInt32());
        var hits = await driver.SearchAsync("When does chess club meet?");
        Assert.Equal("Clubs", hits[0].Chunk.Heading);
        Assert.Equal("Chess club meets on Wednesdays in the library.", hits[0].Chunk.Text);
        var answer = await driver.AskAsync("When does the chess club meet?");
        Assert.Contains("Wednesdays", answer.GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.Equal([sourceId], IngestDriver.CitedSources(answer));
    }

    [Fact]
    public async Task FailingUrl_AfterSuccess_FailsJobDegradesHealthAndOldContentStillAnswers()
    {
        await using var app = await TestApp.StartAsync();
        var driver = await DriverAsync(app);
        var name = Guid.NewGuid().ToString("N");
        var url = server.Set(name, Page("Swimming", "The swimming gala is on Monday 9 March at the leisure centre."));
        var sourceId = await driver.IngestAsync(new { type = "url", title = "Swimming", url });

        server.Set(name, "server on fire", "text/plain", status: 500);
        var failures = new List<string>();
        for (var i = 1; i <= SourceHealth.FailingAfter; i++)
        {
            var jobId = (await driver.StartJobAsync(sourceId)).GetProperty("job_id").GetString()!;
            await driver.RunJobAsync(jobId);
            var job = await driver.JobAsync(jobId);
            Assert.Equal("failed", job.GetProperty("status").GetString());
            Assert.Contains("500", job.GetProperty("error").GetString(), StringComparison.Ordinal);
            var health = await driver.HealthAsync(sourceId);
            Assert.Equal(i, health.GetProperty("consecutive_failures").GetInt32());
            Assert.Contains("500", health.GetProperty("last_error").GetString(), StringComparison.Ordinal);
            failures.Add(health.GetProperty("status").GetString()!);

            var answer = await driver.AskAsync("When is the swimming gala?");
            Assert.Contains("Monday 9 March", answer.GetProperty("text").GetString(), StringComparison.Ordinal);
            Assert.Equal([sourceId], IngestDriver.CitedSources(answer));
        }

        Assert.Equal(["degraded", "degraded", "failing"], failures);
    }

    [Fact]
    public async Task FailingUrl_NeverSucceeded_IsFailingAndUnsupportedContentHasAClearError()
    {
        await using var app = await TestApp.StartAsync();
        var driver = await DriverAsync(app);

        var missing = await driver.CreateSourceAsync(new { type = "url", title = "Gone", url = server.Url("docs/" + Guid.NewGuid().ToString("N")) });
        var image = await driver.CreateSourceAsync(new { type = "url", title = "Logo", url = server.Url("logo.png") });
        await driver.RunJobAsync(missing.GetProperty("job_id").GetString()!);
        await driver.RunJobAsync(image.GetProperty("job_id").GetString()!);

        var missingHealth = await driver.HealthAsync(missing.GetProperty("source_id").GetString()!);
        Assert.Equal("failing", missingHealth.GetProperty("status").GetString());
        Assert.Contains("404", missingHealth.GetProperty("last_error").GetString(), StringComparison.Ordinal);
        var imageJob = await driver.JobAsync(image.GetProperty("job_id").GetString()!);
        Assert.Equal("failed", imageJob.GetProperty("status").GetString());
        Assert.Equal("unsupported content type: image/png", imageJob.GetProperty("error").GetString());
    }

    [Fact]
    public async Task RedeliveredMessage_RewritesTheSameChunksWithoutDuplicates()
    {
        await using var app = await TestApp.StartAsync();
        var driver = await DriverAsync(app);
        var created = await driver.CreateSourceAsync(new { type = "url", title = "Admissions", url = server.Url("page.html") });
        var (sourceId, jobId) = (created.GetProperty("source_id").GetString()!, created.GetProperty("job_id").GetString()!);
        var chunks = app.Services.GetRequiredService<ChunkStore>();

        await driver.RunJobAsync(jobId);
        await driver.RunJobAsync(jobId, dequeueCount: 2);
        var count = (await driver.JobAsync(jobId)).GetProperty("chunk_count").GetInt32();
        Assert.Equal(count, await chunks.CountRowsAsync(driver.Org.OrgId, sourceId));

        // The worker died after writing its chunks: the lease ran out, and the redelivered message runs it again.
        await app.Services.GetRequiredService<IngestJobStore>().UpdateAsync(driver.Org.OrgId, jobId,
            j => j with { Status = IngestJobStatus.Running, LeaseUntil = DateTimeOffset.UtcNow.AddMinutes(-1) });
        await driver.RunJobAsync(jobId, dequeueCount: 3);

        var job = await driver.JobAsync(jobId);
        Assert.Equal("succeeded", job.GetProperty("status").GetString());
        Assert.Equal(2, job.GetProperty("attempts").GetInt32());
        Assert.Equal(count, await chunks.CountRowsAsync(driver.Org.OrgId, sourceId));
        var index = await app.Services.GetRequiredService<Core.Knowledge.Retrieval.RetrievalIndexStore>().GetAsync(driver.Org.OrgId);
        Assert.Equal(count, index.Count);
        Assert.Equal(count, index.Chunks.Select(c => c.ChunkId).Distinct().Count());
    }

    [Fact]
    public async Task Reingest_ReplacesTheSourcesContent()
    {
        await using var app = await TestApp.StartAsync();
        var driver = await DriverAsync(app);
        var name = Guid.NewGuid().ToString("N");
        var url = server.Set(name, Page("Sports day", "Sports day is on Thursday 4 June on the top field."));
        var other = await driver.IngestAsync(new { type = "text", title = "Clubs", content = "Chess club meets on Wednesdays." });
        var sourceId = await driver.IngestAsync(new { type = "url", title = "Sports day", url });

        server.Set(name, Page("Sports day", "Sports day has moved to Friday 12 June because of the weather."));
        var jobId = (await driver.StartJobAsync(sourceId)).GetProperty("job_id").GetString()!;
        await driver.RunJobAsync(jobId);

        var hits = await driver.SearchAsync("When is sports day?", 10);
        var sportsDay = hits.Where(h => h.Chunk.SourceId == sourceId).ToList();
        Assert.Single(sportsDay);
        Assert.Contains("Friday 12 June", sportsDay[0].Chunk.Text, StringComparison.Ordinal);
        Assert.DoesNotContain(hits, h => h.Chunk.Text.Contains("Thursday 4 June", StringComparison.Ordinal));
        Assert.Equal(1, await app.Services.GetRequiredService<ChunkStore>().CountRowsAsync(driver.Org.OrgId, sourceId));
        Assert.NotEmpty(await driver.SearchAsync("chess club"));
        Assert.Equal(other, (await driver.SearchAsync("chess club"))[0].Chunk.SourceId);
    }

    [Fact]
    public async Task SecondHost_OverTheSameStorage_AnswersFromNewContentAfterAJob()
    {
        await using var writer = await TestApp.StartAsync();
        await using var reader = await TestApp.StartAsync();
        var driver = await DriverAsync(writer);
        var onReader = new IngestDriver(reader, driver.Org);
        var name = Guid.NewGuid().ToString("N");
        var url = server.Set(name, Page("Book fair", "The book fair opens on Monday in the school hall."));
        var sourceId = await driver.IngestAsync(new { type = "url", title = "Book fair", url });
        Assert.Contains("Monday", (await onReader.AskAsync("When does the book fair open?")).GetProperty("text").GetString(), StringComparison.Ordinal);

        server.Set(name, Page("Book fair", "The book fair opens on Wednesday in the school hall."));
        await driver.RunJobAsync((await driver.StartJobAsync(sourceId)).GetProperty("job_id").GetString()!);

        var answer = await onReader.AskAsync("When does the book fair open?");
        Assert.Contains("Wednesday", answer.GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain("Monday", answer.GetProperty("text").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://127.0.0.1:8080/page")]
    [InlineData("http://10.0.0.5/page")]
    [InlineData("http://169.254.169.254/latest/meta-data")]
    [InlineData("http://[::1]/page")]
    [InlineData("http://localhost/page")]
    [InlineData("ftp://example.org/page")]
    public async Task CreateSource_RefusedTarget_Is400OnUrl(string url)
    {
        await using var app = await TestApp.StartAsync(settings: new Dictionary<string, string?> { ["Comx:Network:AllowPrivateTargets"] = "false" });
        var driver = await DriverAsync(app);

        using var response = await driver.PostAsync("/api/org/v1/sources", new { type = "url", title = "Internal", url });

        var error = await response.ErrorAsync(400, "COMX_VALIDATION_ERROR");
        Assert.Equal("url", error.GetProperty("details").GetProperty("field").GetString());
    }

    [Fact]
    public async Task Fetch_HostnameResolvingToLoopback_FailsTheJobUnlessPrivateTargetsAreAllowed()
    {
        const string Host = "school-site.test";
        static void Resolver(IServiceCollection services) => services.AddSingleton(sp => new GuardedHttpClient(sp.GetRequiredService<IOptions<NetworkOptions>>(),
            sp.GetRequiredService<TimeProvider>(), (host, ct) => Task.FromResult(host == Host ? new[] { IPAddress.Loopback } : Array.Empty<IPAddress>()), connect: null));
        var url = $"http://{Host}:{server.BaseUrl.Port}/page.html";

        await using (var guarded = await TestApp.StartAsync(Resolver, new Dictionary<string, string?> { ["Comx:Network:AllowPrivateTargets"] = "false" }))
        {
            var driver = await DriverAsync(guarded);
            var created = await driver.CreateSourceAsync(new { type = "url", title = "Admissions", url });
            await driver.RunJobAsync(created.GetProperty("job_id").GetString()!);

            var job = await driver.JobAsync(created.GetProperty("job_id").GetString()!);
            Assert.Equal("failed", job.GetProperty("status").GetString());
            Assert.Contains("127.0.0.1", job.GetProperty("error").GetString(), StringComparison.Ordinal);
            Assert.Equal("failing", (await driver.HealthAsync(created.GetProperty("source_id").GetString()!)).GetProperty("status").GetString());
        }

        await using var open = await TestApp.StartAsync(Resolver);
        var allowed = await DriverAsync(open);
        await allowed.IngestAsync(new { type = "url", title = "Admissions", url });
    }

    [Fact]
    public async Task StuckJob_IsRetriedAfterItsLeaseThenFailedVisibly()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var app = await TestApp.StartAsync(s => s.AddSingleton<TimeProvider>(clock));
        var driver = await DriverAsync(app);
        var jobs = app.Services.GetRequiredService<IngestJobStore>();
        var timers = app.Services.GetRequiredService<ComxJobs>();
        var stuck = await driver.CreateSourceAsync(new { type = "text", title = "Lost", content = "A message that was lost." });
        var recovered = await driver.CreateSourceAsync(new { type = "text", title = "Late", content = "Late jobs still finish." });
        var (stuckJob, recoveredJob) = (stuck.GetProperty("job_id").GetString()!, recovered.GetProperty("job_id").GetString()!);

        clock.Advance(IngestService.Lease - TimeSpan.FromSeconds(1));
        await timers.RunTimerAsync(JobNames.RecoverIngestJobs, CancellationToken.None);
        Assert.Equal(0, (await jobs.GetAsync(driver.Org.OrgId, stuckJob))!.Recoveries);

        clock.Advance(IngestService.Lease);
        await timers.RunTimerAsync(JobNames.RecoverIngestJobs, CancellationToken.None);
        Assert.Equal(1, (await jobs.GetAsync(driver.Org.OrgId, stuckJob))!.Recoveries);
        await driver.RunJobAsync(recoveredJob);
        Assert.Equal("succeeded", (await driver.JobAsync(recoveredJob)).GetProperty("status").GetString());

        // The re-enqueued message is lost too (or poisoned); so is the next one.
        for (var sweep = 2; sweep <= IngestService.MaxRecoveries + 1; sweep++)
        {
            clock.Advance(IngestService.Lease + TimeSpan.FromSeconds(1));
            await timers.RunTimerAsync(JobNames.RecoverIngestJobs, CancellationToken.None);
        }

        var job = await driver.JobAsync(stuckJob);
        Assert.Equal("failed", job.GetProperty("status").GetString());
        Assert.Contains("given up", job.GetProperty("error").GetString(), StringComparison.Ordinal);
        var health = await driver.HealthAsync(stuck.GetProperty("source_id").GetString()!);
        Assert.Equal("failing", health.GetProperty("status").GetString());
        Assert.Equal(stuckJob, health.GetProperty("last_job_id").GetString());
    }

    [Fact]
    public async Task StuckRunningJob_WhoseWorkerDied_IsReclaimedAndFinishes()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var app = await TestApp.StartAsync(s => s.AddSingleton<TimeProvider>(clock));
        var driver = await DriverAsync(app);
        var created = await driver.CreateSourceAsync(new { type = "text", title = "Died", content = "The worker died while running this job." });
        var jobId = created.GetProperty("job_id").GetString()!;
        var jobs = app.Services.GetRequiredService<IngestJobStore>();
        await jobs.UpdateAsync(driver.Org.OrgId, jobId, j => j with { Status = IngestJobStatus.Running, Attempts = 1, LeaseUntil = clock.GetUtcNow() + IngestService.Lease });

        await driver.RunJobAsync(jobId, dequeueCount: 2);
        Assert.Equal("running", (await driver.JobAsync(jobId)).GetProperty("status").GetString());

        clock.Advance(IngestService.Lease + TimeSpan.FromSeconds(1));
        await app.Services.GetRequiredService<ComxJobs>().RunTimerAsync(JobNames.RecoverIngestJobs, CancellationToken.None);
        Assert.Equal(IngestJobStatus.Queued, (await jobs.GetAsync(driver.Org.OrgId, jobId))!.Status);
        await driver.RunJobAsync(jobId);

        var job = await driver.JobAsync(jobId);
        Assert.Equal("succeeded", job.GetProperty("status").GetString());
        Assert.Equal(2, job.GetProperty("attempts").GetInt32());
    }

    [Fact]
    public async Task DueRefresh_TimerRunTwiceConcurrently_StartsOneJobPerDueTime()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var first = await TestApp.StartAsync(s => s.AddSingleton<TimeProvider>(clock));
        await using var second = await TestApp.StartAsync(s => s.AddSingleton<TimeProvider>(clock));
        var driver = await DriverAsync(first);
        var url = server.Set(Guid.NewGuid().ToString("N"), Page("Newsletter", "This week's newsletter is about the school play."));
        var sourceId = await driver.IngestAsync(new { type = "url", title = "Newsletter", url, refresh_interval_hours = 1 });
        var jobs = first.Services.GetRequiredService<IngestJobStore>();

        async Task RunTimersAsync() => await Task.WhenAll(
            first.Services.GetRequiredService<ComxJobs>().RunTimerAsync(JobNames.RefreshSources, CancellationToken.None),
            second.Services.GetRequiredService<ComxJobs>().RunTimerAsync(JobNames.RefreshSources, CancellationToken.None));

        await RunTimersAsync();
        Assert.Single(await jobs.ListForSourceAsync(driver.Org.OrgId, sourceId));

        clock.Advance(TimeSpan.FromMinutes(61));
        await RunTimersAsync();
        await RunTimersAsync();
        var afterDue = await jobs.ListForSourceAsync(driver.Org.OrgId, sourceId);
        Assert.Equal(2, afterDue.Count);
        var refresh = Assert.Single(afterDue, j => j.Trigger == IngestTrigger.Schedule);
        await driver.RunJobAsync(refresh.JobId);
        Assert.Equal("succeeded", (await driver.JobAsync(refresh.JobId)).GetProperty("status").GetString());

        clock.Advance(TimeSpan.FromHours(1));
        await RunTimersAsync();
        Assert.Equal(3, (await jobs.ListForSourceAsync(driver.Org.OrgId, sourceId)).Count);
    }

    [Fact]
    public async Task SourceHealth_NoSuccessForTwiceTheRefreshInterval_IsStale()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var app = await TestApp.StartAsync(s => s.AddSingleton<TimeProvider>(clock));
        var driver = await DriverAsync(app);
        var url = server.Set(Guid.NewGuid().ToString("N"), Page("Menu", "Fish and chips on Fridays."));
        var sourceId = await driver.IngestAsync(new { type = "url", title = "Menu", url, refresh_interval_hours = 2 });

        clock.Advance(TimeSpan.FromHours(3));
        Assert.Equal("healthy", (await driver.HealthAsync(sourceId)).GetProperty("status").GetString());
        clock.Advance(TimeSpan.FromHours(2));
        Assert.Equal("stale", (await driver.HealthAsync(sourceId)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task CreateSource_AtThePlansSourceLimit_Is403WithReasonAndLimit()
    {
        await using var app = await TestApp.StartAsync();
        var driver = await DriverAsync(app);
        await app.Services.GetRequiredService<OrgDirectory>().UpdateBillingAsync(driver.Org.OrgId, org =>
        {
            (org.Plan, org.PlanStatus) = ("Free", "active");
            return true;
        });
        for (var i = 0; i < 3; i++)
        {
            await driver.CreateSourceAsync(new { type = "text", title = $"Page {i}", content = "Some text." });
        }

        using var response = await driver.PostAsync("/api/org/v1/sources", new { type = "text", title = "One too many", content = "Some text." });

        var error = await response.ErrorAsync(403, "COMX_FORBIDDEN");
        Assert.Equal("plan_limit", error.GetProperty("details").GetProperty("reason").GetString());
        Assert.Equal(3, error.GetProperty("details").GetProperty("limit").GetInt64());
    }

    [Fact]
    public async Task AnotherOrgsSourceAndJobIds_Are404()
    {
        await using var app = await TestApp.StartAsync();
        var owner = await DriverAsync(app);
        var stranger = await DriverAsync(app);
        var created = await owner.CreateSourceAsync(new { type = "text", title = "Private", content = "Staff only." });
        var (sourceId, jobId) = (created.GetProperty("source_id").GetString()!, created.GetProperty("job_id").GetString()!);

        using var job = await stranger.GetAsync($"/api/org/v1/ingest-jobs/{jobId}");
        using var health = await stranger.GetAsync($"/api/org/v1/sources/{sourceId}/health");
        using var start = await stranger.PostAsync("/api/org/v1/ingest-jobs", new { source_id = sourceId });
        using var list = await stranger.GetAsync("/api/org/v1/sources");

        await job.ErrorAsync(404, "COMX_NOT_FOUND");
        await health.ErrorAsync(404, "COMX_NOT_FOUND");
        await start.ErrorAsync(404, "COMX_NOT_FOUND");
        Assert.Empty((await list.JsonAsync(200)).GetProperty("data").EnumerateArray());
    }

    [Fact]
    public async Task Sources_AreListedInPagesAndAnActiveJobIsReturnedNotDuplicated()
    {
        await using var app = await TestApp.StartAsync();
        var driver = await DriverAsync(app);
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add((await driver.CreateSourceAsync(new { type = "text", title = $"Page {i}", content = $"Text {i}." })).GetProperty("source_id").GetString()!);
        }

        using var firstPage = await driver.GetAsync("/api/org/v1/sources?limit=2");
        var page = await firstPage.JsonAsync(200);
        using var secondPage = await driver.GetAsync($"/api/org/v1/sources?limit=2&cursor={page.GetProperty("next_cursor").GetString()}");
        var rest = await secondPage.JsonAsync(200);
        Assert.Equal(ids, page.GetProperty("data").EnumerateArray().Concat(rest.GetProperty("data").EnumerateArray())
            .Select(s => s.GetProperty("source_id").GetString()!));

        var queued = (await driver.JobAsync((await driver.StartJobAsync(ids[0])).GetProperty("job_id").GetString()!)).GetProperty("job_id").GetString();
        var again = (await driver.StartJobAsync(ids[0])).GetProperty("job_id").GetString();
        Assert.Equal(queued, again);
    }

    [Theory]
    [InlineData("""{"type":"url","title":"No url"}""", "url")]
    [InlineData("""{"type":"text","title":"No content"}""", "content")]
    [InlineData("""{"type":"pdf","title":"Bad type","url":"https://example.org"}""", "type")]
    [InlineData("""{"type":"url","title":"Too often","url":"https://example.org","refresh_interval_hours":0}""", "refresh_interval_hours")]
    public async Task CreateSource_InvalidRequest_Is400OnTheField(string body, string field)
    {
        await using var app = await TestApp.StartAsync();
        var driver = await DriverAsync(app);
        var request = driver.Org.AsKey(HttpMethod.Post, "/api/org/v1/sources", TestApp.RawJson(body));

        using var response = await app.Client.SendAsync(request);

        var error = await response.ErrorAsync(400, "COMX_VALIDATION_ERROR");
        Assert.Equal(field, error.GetProperty("details").GetProperty("field").GetString());
    }

    [Fact]
    public async Task CreateSource_TextOver500Kilobytes_Is400OnContent()
    {
        await using var app = await TestApp.StartAsync();
        var driver = await DriverAsync(app);

        using var response = await driver.PostAsync("/api/org/v1/sources", new { type = "text", title = "Huge", content = new string('a', CreateSourceRequest.MaxContentBytes + 1) });

        var error = await response.ErrorAsync(400, "COMX_VALIDATION_ERROR");
        Assert.Equal("content", error.GetProperty("details").GetProperty("field").GetString());
    }
}
