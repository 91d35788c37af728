using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using Comx.Core.Chat;
using Comx.Core.DataProtection;
using Comx.Core.Identity;
using Comx.Core.Inbox;
using Comx.Core.Knowledge;
using Comx.DevHost;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Comx.Benchmarks.Knowledge;

/// <summary>
/// Two data-heavy jobs end to end on the DevHost's composition over Azurite: crawling and indexing a 200-page site
/// served by Kestrel on loopback (the real crawler, guard, extraction, chunking, chunk writes and index publish), and
/// erasing a learner with 1,000 messages (the real queued erasure job).
/// </summary>
internal static class KnowledgeBenchmark
{
    private const int Pages = 200;
    private const int Sessions = 10;
    private const int MessagesPerSession = 100;

    private static readonly string[] Words =
    [
        "pupils", "parents", "term", "uniform", "lunch", "trip", "homework", "library", "sports", "music", "reading", "science", "assembly",
        "governors", "admissions", "attendance", "behaviour", "clubs", "exams", "transport", "wellbeing", "safeguarding", "curriculum", "visits",
    ];

    public static async Task RunAsync(TextWriter output, int delayMilliseconds)
    {
        await using var azurite = await AzuriteProcess.EnsureRunningAsync(null, output);
        await using var site = await StartSiteAsync();
        var builder = DevHostApp.CreateBuilder([], backgroundJobs: false);
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = "UseDevelopmentStorage=true",
            ["Comx:Network:AllowPrivateTargets"] = "true",
            ["Comx:Crawl:DelayMilliseconds"] = delayMilliseconds.ToString(CultureInfo.InvariantCulture),
            ["Comx:Clerk:WebhookSecret"] = "whsec_IkK0FiKjAjLF9Ey8QGFI0/c9DLHX/Y72",
            ["Comx:Clerk:Issuer"] = "https://clerk.bench.example",
            ["Comx:Clerk:JwksUrl"] = "http://127.0.0.1:9/.well-known/jwks.json",
            ["Comx:Stripe:WebhookSecret"] = "whsec_79bd93868e08aad7b1a2a9944df2b17b",
            ["Comx:Stripe:PricePlans"] = "price_pro=pro",
        });
        await using var app = DevHostApp.Configure(builder.Build());
        await app.StartAsync();
        var services = app.Services;
        var orgId = "org_bench_" + Guid.NewGuid().ToString("N")[..10];
        var directory = services.GetRequiredService<OrgDirectory>();
        await directory.UpsertOrgAsync(orgId, "Benchmark School", "bench", 1);
        await directory.UpdateBillingAsync(orgId, org => { org.Plan = "School"; org.PlanStatus = "active"; return true; });

        // Crawl and index.
        var ingest = services.GetRequiredService<IngestService>();
        var created = await ingest.CreateSourceAsync(orgId, "bench", new CreateSourceRequest(SourceType.Site, "Benchmark site", site.Origin + "/", MaxPages: Pages));
        var watch = Stopwatch.StartNew();
        await ingest.RunAsync(IngestJobMessage.For(orgId, created.Value.Job.JobId));
        watch.Stop();
        var source = await services.GetRequiredService<SourceStore>().GetAsync(orgId, created.Value.Source.SourceId);
        output.WriteLine($"crawl+index: {source!.Crawl?.PagesFetched} pages fetched, {source.Crawl?.PagesFailed} failed, {source.Crawl?.PagesSkipped} skipped, " +
            $"{source.ChunkCount} chunks in {watch.Elapsed.TotalSeconds:F1} s (polite delay {delayMilliseconds} ms between requests, {site.Requests} requests)");

        // A learner with 1,000 messages (half of them answers with a stored answer row).
        var learnerId = "lrn-bench-" + Guid.NewGuid().ToString("N")[..8];
        var chatSessions = services.GetRequiredService<ChatSessionStore>();
        var conversations = services.GetRequiredService<ConversationStore>();
        var answers = services.GetRequiredService<AnswerStore>();
        for (var s = 0; s < Sessions; s++)
        {
            var threadId = "thr_" + Guid.NewGuid().ToString("N");
            var (session, _) = await chatSessions.CreateAsync(orgId, threadId, null, learnerId, "en-GB", null);
            for (var batch = 0; batch < MessagesPerSession; batch += 50)
            {
                var messages = new List<NewMessage>();
                for (var m = 0; m < 25; m++)
                {
                    var answerId = "ans_" + Guid.NewGuid().ToString("N");
                    await answers.AddAsync(new StoredAnswer(answerId, orgId, "question " + m, "answer " + m, [], 0.5, false, DateTimeOffset.UtcNow));
                    messages.Add(new NewMessage(MessageRole.Visitor, "question " + m));
                    messages.Add(new NewMessage(MessageRole.Bot, "answer " + m, answerId));
                }

                await conversations.WriteAsync(orgId, threadId, _ => new ThreadWrite(messages, null, []), createForSession: session.SessionId);
            }
        }

        var data = services.GetRequiredService<LearnerDataService>();
        watch.Restart();
        var erasure = await data.StartErasureAsync(orgId, learnerId, "bench");
        await data.RunAsync(ErasureMessage.For(orgId, erasure.ErasureId));
        watch.Stop();
        var done = await services.GetRequiredService<DataProtectionStore>().GetErasureAsync(orgId, erasure.ErasureId);
        output.WriteLine($"erasure: {done!.Status}, {string.Join(", ", done.RowsRemoved.Select(r => $"{r.Key} {r.Value}"))} in {watch.Elapsed.TotalSeconds:F1} s");
    }

    private sealed class Site(WebApplication app, string origin) : IAsyncDisposable
    {
        private int _requests;

        public string Origin { get; } = origin;

        public int Requests => Volatile.Read(ref _requests);

        public void Count() => Interlocked.Increment(ref _requests);

        public ValueTask DisposeAsync() => app.DisposeAsync();
    }

    /// <summary>A school site of 200 pages: a home page linking to sections, each page linking to a few others, with real paragraphs.</summary>
    private static async Task<Site> StartSiteAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        Site? site = null;
        app.MapGet("/{**path}", (HttpContext context) =>
        {
            site!.Count();
            var path = context.Request.Path.Value ?? "/";
            if (path == "/robots.txt")
            {
                return Results.Text("User-agent: *\nDisallow: /admin\n", "text/plain");
            }

            var n = path == "/" ? 0 : int.TryParse(path.AsSpan(path.LastIndexOf('/') + 2), CultureInfo.InvariantCulture, out var parsed) ? parsed : -1;
            if (n < 0 || n >= Pages)
            {
                return Results.NotFound();
            }

            var html = new StringBuilder($"<!doctype html><html><head><title>Page {n}</title></head><body><nav><a href=\"/\">Home</a> <a href=\"/admin\">Admin</a></nav><main><h1>Topic {n}</h1>");
            var random = new Random(n);
            for (var p = 0; p < 6; p++)
            {
                html.Append("<h2>Section ").Append(p).Append("</h2><p>");
                for (var w = 0; w < 90; w++)
                {
                    html.Append(Words[random.Next(Words.Length)]).Append(w % 12 == 11 ? ". " : " ");
                }

                html.Append("</p>");
            }

            foreach (var link in new[] { (n * 3) + 1, (n * 3) + 2, (n * 3) + 3 }.Where(l => l < Pages))
            {
                html.Append("<a href=\"/s").Append(link % 10).Append("/p").Append(link).Append("\">more</a> ");
            }

            return Results.Content(html.Append("</main></body></html>").ToString(), "text/html; charset=utf-8");
        });
        await app.StartAsync();
        var origin = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        site = new Site(app, origin);
        return site;
    }
}
