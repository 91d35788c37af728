using System.Collections.Concurrent;
using System.Text.Json;
using Comx.Core.Knowledge.Crawling;
using Comx.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Comx.Tests.Knowledge.Crawling;

/// <summary>A small web site on loopback Kestrel whose pages a test sets, recording every path requested.</summary>
public sealed class LoopbackSite : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, (int Status, string ContentType, string Body)> _pages = new(StringComparer.Ordinal);
    private WebApplication? _app;

    public string Origin { get; private set; } = "";

    public ConcurrentQueue<string> Requested { get; } = new();

    public void Page(string path, string title, string text, params string[] links) =>
        _pages[path] = (200, "text/html; charset=utf-8", $"<!doctype html><html><head><title>{title}</title></head><body><main><h1>{title}</h1><p>{text}</p>" +
            string.Concat(links.Select(l => $"<a href=\"{l}\">{l}</a> ")) + "</main></body></html>");

    public void Raw(string path, string contentType, string body, int status = 200) => _pages[path] = (status, contentType, body);

    public void Fail(string path) => _pages[path] = (500, "text/plain", "down");

    public static async Task<LoopbackSite> StartAsync()
    {
        var site = new LoopbackSite();
        var app = LoopbackServer.Create();
        app.Map("/{**path}", async (HttpContext context) =>
        {
            var path = context.Request.Path.Value ?? "/";
            site.Requested.Enqueue(path);
            if (!site._pages.TryGetValue(path, out var page))
            {
                context.Response.StatusCode = 404;
                return;
            }

            context.Response.StatusCode = page.Status;
            context.Response.ContentType = page.ContentType;
            await context.Response.WriteAsync(page.Body);
        });
        site.Origin = (await LoopbackServer.StartAsync(app)).Replace("[::]", "127.0.0.1", StringComparison.Ordinal);
        site._app = app;
        return site;
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }
}

/// <summary>Site sources: the crawl, its limits and its health, through the real routes and ingest job.</summary>
public sealed class SiteCrawlTests
{
    private static readonly Dictionary<string, string?> NoDelay = new() { ["Comx:Crawl:DelayMilliseconds"] = "0" };

    private static async Task<(TestApp App, IngestDriver Driver)> StartAsync(IDictionary<string, string?>? settings = null)
    {
        var app = await TestApp.StartAsync(settings: settings ?? NoDelay);
        return (app, new IngestDriver(app, await TestOrg.CreateAsync(app)));
    }

    private static async Task<JsonElement> CrawlAsync(IngestDriver driver, object body)
    {
        var created = await driver.CreateSourceAsync(body);
        var jobId = created.GetProperty("job_id").GetString()!;
        await driver.RunJobAsync(jobId);
        var job = await driver.JobAsync(jobId);
        Assert.True(job.GetProperty("status").GetString() == "succeeded", job.ToString());
        return await driver.HealthAsync(created.GetProperty("source_id").GetString()!);
    }

    [Fact]
    public async Task SiteSource_StaysOnItsHost_HonoursRobotsAndSitemap_AndCitesEachPage()
    {
        await using var site = await LoopbackSite.StartAsync();
        site.Page("/", "Oakwood School", "Welcome to Oakwood.", "/about", "/private/staff-room", "https://other.example/elsewhere", "mailto:office@oakwood.example",
            "/logo.png", "/about#history");
        site.Page("/about", "About us", "Oakwood was founded in 1892 by the parish.", "/about/team");
        site.Page("/about/team", "Our team", "The headteacher is Mrs Okafor.");
        site.Page("/private/staff-room", "Staff room", "The staff room door code is 4471.");
        site.Page("/term-dates", "Term dates", "The spring term starts on Tuesday 6 January.");
        site.Raw("/robots.txt", "text/plain", "User-agent: *\nDisallow: /private\n");
        site.Raw("/sitemap.xml", "application/xml",
            $"<?xml version=\"1.0\"?><urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\"><url><loc>{site.Origin}/term-dates</loc></url></urlset>");
        var (app, driver) = await StartAsync();
        await using var _ = app;

        var health = await CrawlAsync(driver, new { type = "site", title = "Oakwood", url = site.Origin + "/" });

        var crawl = health.GetProperty("crawl");
        Assert.Equal(4, crawl.GetProperty("pages_fetched").GetInt32());
        Assert.Equal(0, crawl.GetProperty("pages_failed").GetInt32());
        Assert.True(crawl.GetProperty("pages_skipped").GetInt32() >= 3, crawl.ToString());
        Assert.DoesNotContain("/private/staff-room", site.Requested);
        Assert.DoesNotContain("/logo.png", site.Requested);
        var team = (await driver.SearchAsync("Who is the headteacher?"))[0];
        Assert.Contains("Mrs Okafor", team.Chunk.Text, StringComparison.Ordinal);
        Assert.Equal(site.Origin + "/about/team", team.Chunk.Url);
        Assert.Contains("6 January", (await driver.SearchAsync("When does the spring term start?"))[0].Chunk.Text, StringComparison.Ordinal);
        Assert.DoesNotContain(await driver.SearchAsync("staff room door code", 5), h => h.Chunk.Text.Contains("4471", StringComparison.Ordinal));
    }

    [Fact]
    public async Task SiteSource_FetchesAtMostMaxPages_BreadthFirst()
    {
        await using var site = await LoopbackSite.StartAsync();
        for (var i = 0; i < 20; i++)
        {
            site.Page($"/p{i}", $"Page {i}", $"This is page number {i} of the chain.", $"/p{i + 1}", $"/q{i}");
            site.Page($"/q{i}", $"Side {i}", $"A side page {i}.");
        }

        var (app, driver) = await StartAsync();
        await using var _ = app;
        var health = await CrawlAsync(driver, new { type = "site", title = "Chain", url = site.Origin + "/p0", max_pages = 5 });

        Assert.Equal(5, health.GetProperty("crawl").GetProperty("pages_fetched").GetInt32());
        var pages = site.Requested.Where(p => p.StartsWith("/p", StringComparison.Ordinal) || p.StartsWith("/q", StringComparison.Ordinal)).ToList();
        Assert.Equal(["/p0", "/p1", "/q0", "/p2", "/q1"], pages);
    }

    [Fact]
    public async Task SiteSource_IncludePaths_LimitTheIndexedPages()
    {
        await using var site = await LoopbackSite.StartAsync();
        site.Page("/", "Home", "Welcome.", "/news/a", "/shop/b");
        site.Page("/news/a", "News A", "The choir won the county cup.");
        site.Page("/shop/b", "Shop B", "Uniform costs forty pounds.");
        var (app, driver) = await StartAsync();
        await using var _ = app;
        await CrawlAsync(driver, new { type = "site", title = "News", url = site.Origin + "/", include_paths = new[] { "/news" } });
        Assert.DoesNotContain("/shop/b", site.Requested);
        Assert.Contains("choir", (await driver.SearchAsync("choir county cup"))[0].Chunk.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Recrawl_KeepsTheLastGoodCopyOfAPageThatFails()
    {
        await using var site = await LoopbackSite.StartAsync();
        site.Page("/", "Home", "Welcome to the school.", "/clubs");
        site.Page("/clubs", "Clubs", "Chess club meets on Thursdays in room 12.");
        var (app, driver) = await StartAsync();
        await using var _ = app;
        var created = await driver.CreateSourceAsync(new { type = "site", title = "School", url = site.Origin + "/", refresh_interval_hours = 24 });
        var sourceId = created.GetProperty("source_id").GetString()!;
        await driver.RunJobAsync(created.GetProperty("job_id").GetString()!);

        site.Fail("/clubs");
        var jobId = (await driver.StartJobAsync(sourceId)).GetProperty("job_id").GetString()!;
        await driver.RunJobAsync(jobId);

        Assert.Equal("succeeded", (await driver.JobAsync(jobId)).GetProperty("status").GetString());
        var crawl = (await driver.HealthAsync(sourceId)).GetProperty("crawl");
        Assert.Equal(1, crawl.GetProperty("pages_failed").GetInt32());
        Assert.Equal(1, crawl.GetProperty("pages_kept_from_last_crawl").GetInt32());
        Assert.Contains("Chess club", (await driver.SearchAsync("When does chess club meet?"))[0].Chunk.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PrivateAddresses_AreRefused_WhenAllowPrivateTargetsIsFalse()
    {
        await using var site = await LoopbackSite.StartAsync();
        site.Page("/", "Home", "Welcome.");
        var (app, driver) = await StartAsync(new Dictionary<string, string?> { ["Comx:Crawl:DelayMilliseconds"] = "0", ["Comx:Network:AllowPrivateTargets"] = "false" });
        await using var _ = app;

        using var response = await driver.PostAsync("/api/org/v1/sources", new { type = "site", title = "Loopback", url = site.Origin + "/" });
        Assert.Equal("url", (await response.ErrorAsync(400, "COMX_VALIDATION_ERROR")).GetProperty("details").GetProperty("field").GetString());

        // The crawler itself refuses too (a name that resolves to a private address passes creation, not the fetch).
        var result = await app.Services.GetRequiredService<SiteCrawler>().CrawlAsync(new Uri(site.Origin + "/"), 5, []);
        Assert.Empty(result.Pages);
        Assert.Single(result.Failed);
        Assert.Empty(site.Requested);
    }

    [Fact]
    public async Task SiteSource_MaxPagesAbovePlanLimit_Is403()
    {
        var (app, driver) = await StartAsync();
        await using var _ = app;
        using var response = await driver.PostAsync("/api/org/v1/sources", new { type = "site", title = "Huge", url = "https://example.org/", max_pages = 1_000_000 });
        var error = await response.ErrorAsync(403, "COMX_FORBIDDEN");
        Assert.Equal("plan_limit", error.GetProperty("details").GetProperty("reason").GetString());
    }

    [Theory]
    [InlineData("User-agent: *\nDisallow: /private\nAllow: /private/open\n", "/private/open/x", true)]
    [InlineData("User-agent: *\nDisallow: /private\nAllow: /private/open\n", "/private/closed", false)]
    [InlineData("User-agent: comxbot\nDisallow: /\n\nUser-agent: *\nDisallow:\n", "/anything", false)]
    [InlineData("User-agent: googlebot\nDisallow: /\n", "/anything", true)]
    [InlineData("User-agent: *\nDisallow: /*.pdf$\n", "/files/a.pdf", false)]
    [InlineData("User-agent: *\nDisallow: /*.pdf$\n", "/files/a.pdf.html", true)]
    public void Robots_LongestMatchWins(string robots, string path, bool allowed) =>
        Assert.Equal(allowed, RobotsRules.Parse(robots).Allows(path));
}
