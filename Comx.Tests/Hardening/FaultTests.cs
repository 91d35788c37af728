using System.Diagnostics;
using System.Text.Json;
using Comx.Core.Jobs;
using Comx.Core.Knowledge;
using Comx.Tests.Infrastructure;
using Comx.Tests.Knowledge;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Comx.Tests.Hardening;

/// <summary>
/// Faults: storage stopped and restarted under load (a private Azurite, killed and started again), and a process killed
/// in the middle of ingest jobs. Each prints what it measured.
/// </summary>
[Collection(GlobalSweeps.Name)]
public sealed class FaultTests(ITestOutputHelper output)
{
    private const int Jobs = 3;

    [Fact]
    public async Task StorageStoppedUnderLoad_Is503WhileDown_RecoversFully_AndLeavesNoJobRunning()
    {
        await using var azurite = new PrivateAzurite();
        await azurite.StartAsync();
        await using var app = await TestApp.StartAsync(settings: new Dictionary<string, string?> { ["AzureWebJobsStorage"] = azurite.ConnectionString }, backgroundJobs: true);
        var org = await TestOrg.CreateAsync(app);
        var first = await CreateTextSourceAsync(app, org, "Before");
        await WaitForJobsAsync(app, org, [first], TimeSpan.FromMinutes(2));

        // Jobs queued right before the outage, then load while storage is down.
        var during = new List<string>();
        for (var i = 0; i < Jobs; i++)
        {
            during.Add(await CreateTextSourceAsync(app, org, $"During {i}"));
        }

        await azurite.StopAsync();
        var load = await Task.WhenAll(Enumerable.Range(0, 12).Select(async i =>
        {
            using var response = await app.Client.SendAsync(i % 2 == 0
                ? org.AsAdmin(HttpMethod.Get, "/api/org/v1/sources")
                : TestApp.Request(HttpMethod.Post, "/api/public/v1/chat/sessions", TestApp.Json(new { widget_key = "comx_pk_abcdefghijklmnopqrstuvwx" }), TestSettings.NewIp()));
            var text = await response.Content.ReadAsStringAsync();
            return ((int)response.StatusCode, text);
        }));
        output.WriteLine($"while storage was down: {string.Join(", ", load.GroupBy(l => l.Item1).Select(g => $"{g.Count()} x {g.Key}"))}");
        Assert.All(load, l =>
        {
            Assert.Equal(503, l.Item1);
            using var document = JsonDocument.Parse(l.text);
            Assert.Equal("COMX_PROVIDER_UNAVAILABLE", document.RootElement.GetProperty("error").GetProperty("code").GetString());
            Assert.True(document.RootElement.GetProperty("error").GetProperty("retryable").GetBoolean());
        });

        await azurite.StartAsync();
        var restarted = Stopwatch.StartNew();
        var sources = await app.Client.SendAsync(org.AsAdmin(HttpMethod.Get, "/api/org/v1/sources"));
        Assert.Equal(Jobs + 1, (await sources.JsonAsync(200)).GetProperty("data").GetArrayLength());
        var after = await CreateTextSourceAsync(app, org, "After");

        var finished = await WaitForJobsAsync(app, org, [.. during, after], TimeSpan.FromMinutes(4));
        output.WriteLine($"after storage restarted: every job finished in {restarted.Elapsed.TotalSeconds:F0} s; statuses {string.Join(", ", finished)}");
        Assert.All(finished, status => Assert.Equal("succeeded", status));
    }

    [Fact]
    public async Task ProcessKilledMidIngest_EveryJobFinishesWithinTwoMinutesOfRestart_Once()
    {
        // Simulated: process A is "killed" by being abandoned with its jobs stuck mid-fetch (its clock never moves again, so
        // it renews nothing); process B is a second app on the same storage with its own fake clock, whose timers and
        // queue worker are driven by hand. Recovery time is B's clock from its start to the last job's success.
        var hang = new TaskCompletionSource();
        var serving = false;
        var fetches = 0;
        var site = LoopbackServer.Create();
        site.MapGet("/page/{n}", async (string n, HttpContext context) =>
        {
            Interlocked.Increment(ref fetches);
            if (!Volatile.Read(ref serving))
            {
                await hang.Task.WaitAsync(context.RequestAborted);
            }

            context.Response.ContentType = "text/html; charset=utf-8";
            await context.Response.WriteAsync($"<html><head><title>Page {n}</title></head><body><main><h1>Page {n}</h1><p>Open mornings are on Tuesday {n}.</p></main></body></html>");
        });
        var siteUrl = await LoopbackServer.StartAsync(site);

        var clockA = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var appA = await TestApp.StartAsync(s => s.AddSingleton<TimeProvider>(clockA));
        var org = await TestOrg.CreateAsync(appA);
        var jobIds = new List<string>();
        for (var i = 0; i < Jobs; i++)
        {
            var created = await (await appA.Client.SendAsync(org.AsAdmin(HttpMethod.Post, "/api/org/v1/sources",
                TestApp.Json(new { type = "url", title = $"Page {i}", url = $"{siteUrl.TrimEnd('/')}/page/{i}" })))).JsonAsync(201);
            jobIds.Add(created.GetProperty("job_id").GetString()!);
        }

        var store = appA.Services.GetRequiredService<IngestJobStore>();
        var abandoned = jobIds.Select(id => Task.Run(() => IngestDriver.RunJobAsync(appA, org.OrgId, id))).ToList();
        while (Volatile.Read(ref fetches) < Jobs || (await Task.WhenAll(jobIds.Select(id => store.GetAsync(org.OrgId, id)))).Any(j => j!.Status != IngestJobStatus.Running))
        {
            await Task.Delay(50);
        }

        // The crash: A stops here. The pages are reachable again for whoever fetches next.
        Volatile.Write(ref serving, true);
        var clockB = new FakeTimeProvider(clockA.GetUtcNow());
        await using var appB = await TestApp.StartAsync(s => s.AddSingleton<TimeProvider>(clockB));
        var timers = appB.Services.GetRequiredService<ComxJobs>();
        var restart = clockB.GetUtcNow();
        var step = TimeSpan.FromSeconds(5);
        var sweepEvery = ComxJobs.Timers.Single(t => t.Name == JobNames.RecoverIngestJobs).Period;
        var sinceSweep = TimeSpan.Zero;
        var done = new HashSet<string>();
        while (done.Count < Jobs && clockB.GetUtcNow() - restart < TimeSpan.FromMinutes(10))
        {
            clockB.Advance(step);
            sinceSweep += step;
            if (sinceSweep >= sweepEvery)
            {
                sinceSweep = TimeSpan.Zero;
                await timers.RunTimerAsync(JobNames.RecoverIngestJobs, CancellationToken.None);
            }

            foreach (var id in jobIds.Where(id => !done.Contains(id)))
            {
                var job = (await store.GetAsync(org.OrgId, id))!;
                if (job.Status == IngestJobStatus.Queued)
                {
                    // B's queue worker receives the message the sweep re-enqueued.
                    await IngestDriver.RunJobAsync(appB, org.OrgId, id);
                    job = (await store.GetAsync(org.OrgId, id))!;
                }

                if (job.Status == IngestJobStatus.Succeeded)
                {
                    done.Add(id);
                }
            }
        }

        var recovery = clockB.GetUtcNow() - restart;
        output.WriteLine($"killed mid-ingest: {done.Count}/{Jobs} jobs recovered {recovery.TotalSeconds:F0} s (simulated clock) after restart; lease {IngestService.Lease.TotalSeconds:F0} s, sweep every {sweepEvery.TotalSeconds:F0} s");
        Assert.Equal(Jobs, done.Count);
        Assert.True(recovery <= TimeSpan.FromMinutes(2), $"recovery took {recovery}");
        foreach (var id in jobIds)
        {
            var job = (await store.GetAsync(org.OrgId, id))!;
            Assert.Equal(2, job.Attempts);
            Assert.Equal(1, job.Recoveries);
        }

        hang.TrySetCanceled();
        await Task.WhenAny(Task.WhenAll(abandoned), Task.Delay(TimeSpan.FromSeconds(10)));
        await appA.DisposeAsync();
        await site.DisposeAsync();
    }

    private static async Task<string> CreateTextSourceAsync(TestApp app, TestOrg org, string title)
    {
        var created = await (await app.Client.SendAsync(org.AsAdmin(HttpMethod.Post, "/api/org/v1/sources",
            TestApp.Json(new { type = "text", title, content = $"{title}: the library opens at nine." })))).JsonAsync(201);
        return created.GetProperty("job_id").GetString()!;
    }

    /// <summary>Polls the jobs until none is queued or running, or the deadline; returns their statuses.</summary>
    private static async Task<IReadOnlyList<string>> WaitForJobsAsync(TestApp app, TestOrg org, IReadOnlyList<string> jobIds, TimeSpan deadline)
    {
        var store = app.Services.GetRequiredService<IngestJobStore>();
        var watch = Stopwatch.StartNew();
        while (true)
        {
            var statuses = new List<string>();
            foreach (var id in jobIds)
            {
                statuses.Add((await store.GetAsync(org.OrgId, id))?.Status.ToString().ToLowerInvariant() ?? "missing");
            }

            if (statuses.All(s => s is "succeeded" or "failed") || watch.Elapsed > deadline)
            {
                return statuses;
            }

            await Task.Delay(500);
        }
    }
}
