using System.Text.Json;
using Comx.Core.Identity;
using Comx.Core.Knowledge.Retrieval;
using Comx.DevHost;
using Comx.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Comx.Tests.Widget;

/// <summary>
/// The DevHost on Kestrel at a free loopback port (over the shared Azurite) and Debian's Chromium, driven headless by
/// Playwright. Never a downloaded browser: the executable path is fixed, and Playwright's driver runs on the node
/// binary shipped inside its NuGet package, so nothing is fetched at run time.
/// </summary>
public sealed class WidgetSite : IAsyncLifetime
{
    public const string ChromiumPath = "/usr/bin/chromium";

    private WebApplication? _app;
    private IPlaywright? _playwright;

    public string Origin { get; private set; } = "";

    public IServiceProvider Services => _app!.Services;

    public IBrowser Browser { get; private set; } = null!;

    public HttpClient Http { get; } = new();

    public static string Artifacts => Path.Combine(Node.Root, "artifacts");

    public async ValueTask InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
        {
            throw new InvalidOperationException($"{ChromiumPath} is missing: run scripts/test.sh, or apt-get install -y chromium.");
        }

        var builder = DevHostApp.CreateBuilder([], backgroundJobs: false);
        builder.Configuration.AddInMemoryCollection(TestSettings.Defaults);
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _app = DevHostApp.Configure(builder.Build());
        await _app.StartAsync();
        Origin = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single().TrimEnd('/');
        Http.BaseAddress = new Uri(Origin);

        // Generous, because two cores are shared by parallel test classes; waits end as soon as the selector matches.
        Assertions.SetDefaultExpectTimeout(20_000);
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
        Directory.CreateDirectory(Artifacts);
    }

    /// <summary>
    /// A fresh organisation whose widget allows this server's origin, with a little knowledge. The index is seeded
    /// directly (Bm25Index + RetrievalIndexStore.PublishAsync) rather than through the ingestion pipeline, which is
    /// tested on its own: these tests are about the widget.
    /// </summary>
    public async Task<(TestOrg Org, string WidgetKey)> CreateOrgAsync(bool enquiries = true)
    {
        var org = await TestOrg.CreateAsync(Services, "Hillside Test School");
        var widgets = Services.GetRequiredService<WidgetSettingsStore>();
        await widgets.GetOrCreateAsync(org.OrgId);
        var settings = await widgets.UpdateAsync(org.OrgId, new WidgetSettingsRequest([Origin], "Hello! Ask me about Hillside school.", HandoffEnabled: true,
            new WidgetTheme("#0b5394", "right", "Ask Hillside"), enquiries));
        IndexedChunk[] chunks =
        [
            new("chk_hours", "src_hours", "Opening hours", $"{Origin}/demo#opening-hours", "Opening hours",
                "The school office is open from 8am to 4pm, Monday to Friday. The school gates open at 8.30am and the school day ends at 3.15pm."),
            new("chk_uniform", "src_uniform", "Uniform policy", $"{Origin}/demo#uniform", "Uniform",
                "Pupils wear a navy jumper with the school logo, grey trousers or skirt, and black shoes. Uniform is sold by the school office."),
            new("chk_meals", "src_meals", "School meals", null, "Meals",
                "Lunch costs £2.60 a day. Free school meals are available to eligible families, who apply through the council."),
        ];
        await Services.GetRequiredService<RetrievalIndexStore>().PublishAsync(org.OrgId, Bm25Index.Build(chunks));
        return (org, settings.WidgetKey);
    }

    /// <summary>A browser context with its own client address (X-Forwarded-For), so per-IP limits never leak between tests.</summary>
    public async Task<IPage> NewPageAsync(int width = 1280, int height = 800, ReducedMotion? reducedMotion = null)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = Origin,
            ViewportSize = new ViewportSize { Width = width, Height = height },
            ExtraHTTPHeaders = new Dictionary<string, string> { ["X-Forwarded-For"] = TestSettings.NewIp() },
            ReducedMotion = reducedMotion ?? ReducedMotion.NoPreference,
        });
        context.SetDefaultTimeout(20_000);
        var page = await context.NewPageAsync();
        // Record what the widget reads aloud instead of sounding it.
        await page.AddInitScriptAsync("window.__spoken = []; if (window.speechSynthesis) { speechSynthesis.speak = u => window.__spoken.push(u.text); speechSynthesis.cancel = () => {}; }");
        return page;
    }

    /// <summary>The demo page with the widget of <paramref name="key"/>, opened, once its session exists.</summary>
    public async Task<IPage> OpenWidgetAsync(string key, string? learner = null, int width = 1280, int height = 800)
    {
        var page = await NewPageAsync(width, height);
        await page.GotoAsync($"/demo?key={key}" + (learner is null ? "" : $"&learner={learner}"));
        await page.Locator(".launcher").ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Dialog, new() { Name = "Ask Hillside" })).ToBeVisibleAsync();
        await page.WaitForFunctionAsync($"() => !!JSON.parse(sessionStorage.getItem('comx:{key}' + ({(learner is null ? "''" : $"':{learner}'")})) || 'null')?.session");
        return page;
    }

    /// <summary>Sends a question from the text box and returns the answer's bubble once it is shown.</summary>
    public static async Task<ILocator> AskAsync(IPage page, string question)
    {
        ArgumentNullException.ThrowIfNull(page);
        var answers = page.Locator(".msg.bot:not(.greeting)");
        var count = await answers.CountAsync();
        await page.Locator("#comx-input").FillAsync(question);
        await page.Locator(".send").ClickAsync();
        await Assertions.Expect(answers).ToHaveCountAsync(count + 1);
        return answers.Nth(count);
    }

    public async Task<JsonElement> OrgCallAsync(TestOrg org, HttpMethod method, string path, object? body = null)
    {
        ArgumentNullException.ThrowIfNull(org);
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : TestApp.Json(body) };
        request.Bearer(org.ApiKey);
        request.Headers.Add("X-Forwarded-For", TestSettings.NewIp());
        using var response = await Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{method} {path}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        _playwright?.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
