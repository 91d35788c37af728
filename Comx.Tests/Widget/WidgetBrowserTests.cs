using System.Text.Json;
using Comx.Core.Chat;
using Comx.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Comx.Tests.Widget;

/// <summary>The widget in a real browser, against the DevHost and Azurite. Waits on selectors, never on sleeps.</summary>
public sealed class WidgetBrowserTests(WidgetSite site) : IClassFixture<WidgetSite>
{
    private const string Shadow = "document.querySelector('#comx-widget').shadowRoot";
    private const string Question = "When does the school office open?";

    [Fact]
    public async Task AskingAQuestion_ShowsCitedAnswerAndOpensTheSource()
    {
        var (_, key) = await site.CreateOrgAsync();
        var page = await OpenWidgetAsync(key);

        var answer = await AskAsync(page, Question);
        await Expect(answer).ToContainTextAsync("8am to 4pm");
        var sources = answer.GetByRole(AriaRole.Button, new() { Name = "Sources (1)" });
        await Expect(sources).ToHaveAttributeAsync("aria-expanded", "false");
        await sources.ClickAsync();
        await Expect(sources).ToHaveAttributeAsync("aria-expanded", "true");
        var link = answer.GetByRole(AriaRole.Link, new() { Name = "Opening hours" });
        await Expect(link).ToBeVisibleAsync();
        await Expect(answer.Locator(".sources q")).ToContainTextAsync("school office");

        var popup = await page.RunAndWaitForPopupAsync(() => link.ClickAsync());
        Assert.Equal($"{site.Origin}/demo#opening-hours", popup.Url);
    }

    [Fact]
    public async Task FallbackAnswer_OffersEnquiryForm_AndTheEnquiryIsStored()
    {
        var (org, key) = await site.CreateOrgAsync();
        var page = await OpenWidgetAsync(key);

        var answer = await AskAsync(page, "Do you repair bicycles?");
        await answer.GetByRole(AriaRole.Button, new() { Name = "Leave your details" }).ClickAsync();
        var panel = page.Locator(".panel");
        await Expect(panel.GetByLabel("Your message")).ToHaveValueAsync("Do you repair bicycles?");
        await panel.GetByLabel("Your name").FillAsync("Sam Visitor");
        await panel.GetByLabel("Email address").FillAsync("sam@example.org");
        await panel.GetByRole(AriaRole.Button, new() { Name = "Send enquiry" }).ClickAsync();
        await Expect(panel.Locator("#comx-consent-error")).ToContainTextAsync("Tick the box");
        await Expect(panel.GetByRole(AriaRole.Checkbox)).ToHaveAttributeAsync("aria-invalid", "true");

        await panel.GetByLabel("I agree to be contacted").CheckAsync();
        await panel.GetByRole(AriaRole.Button, new() { Name = "Send enquiry" }).ClickAsync();
        await Expect(panel.Locator(".done")).ToContainTextAsync("received your enquiry");

        var enquiries = await site.OrgCallAsync(org, HttpMethod.Get, "/api/org/v1/enquiries");
        var stored = Assert.Single(enquiries.GetProperty("data").EnumerateArray());
        Assert.Equal("sam@example.org", stored.GetProperty("email").GetString());
        Assert.Equal(await SessionIdAsync(page, key), stored.GetProperty("session_id").GetString());
    }

    [Fact]
    public async Task MoreThanTwentyRequestsAMinute_ShowsWhenToTryAgain()
    {
        await TestSettings.FreshRateWindowAsync();
        var (_, key) = await site.CreateOrgAsync();
        var page = await OpenWidgetAsync(key);
        var error = page.Locator(".error");

        // 20 per minute per IP, the session included; a window that turns over mid-loop only needs a few more.
        for (var i = 0; i < 45 && (await error.TextContentAsync() ?? "").Length == 0; i++)
        {
            var before = await page.Locator(".msg.bot:not(.greeting)").CountAsync();
            await page.Locator("#comx-input").FillAsync($"Question number {i} about uniform?");
            await page.Locator("#comx-input").PressAsync("Enter");
            await page.WaitForFunctionAsync($"n => {Shadow}.querySelectorAll('.msg.bot:not(.greeting)').length > n || {Shadow}.querySelector('.error').textContent.length > 0", before);
        }

        await Expect(error).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^You're sending messages too quickly\. Please try again in \d+ seconds?\.$"));
        await Expect(page.Locator("#comx-input")).ToHaveValueAsync(new System.Text.RegularExpressions.Regex("about uniform"));
    }

    [Fact]
    public async Task StaffReplyDuringHandoff_AppearsInTheWidget()
    {
        var (org, key) = await site.CreateOrgAsync();
        var page = await OpenWidgetAsync(key);
        await AskAsync(page, Question);
        var session = await site.Services.GetRequiredService<ChatSessionStore>().GetAsync(await SessionIdAsync(page, key));
        await site.OrgCallAsync(org, HttpMethod.Post, "/api/org/v1/handoffs", new { thread_id = session!.ThreadId, reason = "visitor asked for a person" });

        await page.Locator("#comx-input").FillAsync("Can I speak to someone, please?");
        await page.Locator("#comx-input").PressAsync("Enter");
        await Expect(page.Locator(".note")).ToContainTextAsync("A member of staff will reply here");

        await site.OrgCallAsync(org, HttpMethod.Post, $"/api/org/v1/inbox/threads/{session.ThreadId}/messages", new { text = "Hello, this is Ms Patel from the office." });
        await Expect(page.Locator(".msg.agent")).ToContainTextAsync("Ms Patel", new() { Timeout = 20_000 });
    }

    [Fact]
    public async Task Reload_KeepsTheSessionAndConversation()
    {
        var (_, key) = await site.CreateOrgAsync();
        var page = await OpenWidgetAsync(key);
        await AskAsync(page, Question);
        var sessionId = await SessionIdAsync(page, key);

        await page.ReloadAsync();
        await page.Locator(".launcher").ClickAsync();
        await Expect(page.Locator(".msg.visitor")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(Question.Replace("?", "\\?", StringComparison.Ordinal)));
        await Expect(page.Locator(".msg.bot:not(.greeting)")).ToContainTextAsync("8am to 4pm");
        Assert.Equal(sessionId, await SessionIdAsync(page, key));
        await Expect(page.Locator(".msg.bot:not(.greeting)").GetByRole(AriaRole.Button, new() { Name = "Sources (1)" })).ToHaveCountAsync(1);
    }

    [Fact]
    public async Task KeyboardAlone_OpensAsksExpandsClosesAndSendsAnEnquiry()
    {
        var (_, key) = await site.CreateOrgAsync();
        var page = await site.NewPageAsync();
        await page.GotoAsync($"/demo?key={key}");
        await page.Locator(".launcher").WaitForAsync();

        await page.Keyboard.PressAsync("Tab");
        Assert.Equal("launcher", await FocusedAsync(page, "className"));
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.GetByRole(AriaRole.Dialog)).ToBeVisibleAsync();
        Assert.Equal("comx-input", await FocusedAsync(page, "id"));

        await page.Keyboard.TypeAsync(Question);
        await page.Keyboard.PressAsync("Enter");
        var answer = page.Locator(".msg.bot:not(.greeting)");
        await Expect(answer).ToContainTextAsync("8am to 4pm");

        // Shift+Tab back through the dialog reaches the Sources button (on a desktop the dialog is not modal: no trap).
        var seen = new List<string>();
        for (var i = 0; i < 12; i++)
        {
            await page.Keyboard.PressAsync("Shift+Tab");
            Assert.True(await page.EvaluateAsync<bool>($"{Shadow}.querySelector('.panel').contains({Shadow}.activeElement)"), "Focus left the dialog.");
            seen.Add(await FocusedAsync(page, "textContent"));
            if (seen[^1] == "Sources (1)")
            {
                break;
            }
        }

        Assert.Equal("Sources (1)", seen[^1]);
        await page.Keyboard.PressAsync("Enter");
        await Expect(answer.GetByRole(AriaRole.Link, new() { Name = "Opening hours" })).ToBeVisibleAsync();

        await page.Keyboard.PressAsync("Escape");
        await Expect(page.GetByRole(AriaRole.Dialog)).ToBeHiddenAsync();
        Assert.Equal("launcher", await FocusedAsync(page, "className"));

        await page.Keyboard.PressAsync("Enter");
        await Expect(page.GetByRole(AriaRole.Dialog)).ToBeVisibleAsync();
        await page.Keyboard.PressAsync("Tab");
        await page.Keyboard.PressAsync("Tab");
        Assert.Equal("Talk to a person", await FocusedAsync(page, "textContent"));
        await page.Keyboard.PressAsync("Tab");
        Assert.Equal("Contact us instead", await FocusedAsync(page, "textContent"));
        await page.Keyboard.PressAsync("Enter");
        Assert.Equal("comx-name", await FocusedAsync(page, "id"));
        await page.Keyboard.TypeAsync("Kim Keys");
        await page.Keyboard.PressAsync("Tab");
        await page.Keyboard.TypeAsync("kim@example.org");
        await page.Keyboard.PressAsync("Tab");
        await page.Keyboard.PressAsync("Tab");
        Assert.Equal("comx-consent", await FocusedAsync(page, "id"));
        await page.Keyboard.PressAsync("Space");
        await page.Keyboard.PressAsync("Tab");
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.Locator(".done")).ToContainTextAsync("received your enquiry");
    }

    [Fact]
    public async Task LearnerPreferences_ChangeTheRendering_AndAnswersAreReadAloud()
    {
        var (org, key) = await site.CreateOrgAsync();
        var learner = "lrn_" + Guid.NewGuid().ToString("N")[..10];
        await site.OrgCallAsync(org, HttpMethod.Put, $"/api/org/v1/learner-accessibility/{learner}", new
        {
            reading_level = "standard", font_scale = 1.5, dyslexia_font = true, high_contrast = true, reduce_motion = true, text_to_speech = true, language = "en-GB",
        });

        var plain = await OpenWidgetAsync(key);
        await AskAsync(plain, Question);
        var before = await StylesAsync(plain);
        Assert.Equal("16px", before.GetProperty("fontSize").GetString());
        Assert.Equal("rgb(255, 255, 255)", before.GetProperty("background").GetString());
        Assert.DoesNotContain("OpenDyslexic", before.GetProperty("fontFamily").GetString(), StringComparison.Ordinal);
        Assert.Equal("comx-in", before.GetProperty("animation").GetString());
        Assert.Empty(await plain.EvaluateAsync<string[]>("window.__spoken"));

        var page = await OpenWidgetAsync(key, learner);
        await AskAsync(page, Question);
        var after = await StylesAsync(page);
        Assert.Equal("24px", after.GetProperty("fontSize").GetString());
        Assert.Equal("rgb(0, 0, 0)", after.GetProperty("background").GetString());
        Assert.Equal("rgb(255, 255, 255)", after.GetProperty("color").GetString());
        Assert.StartsWith("ComxAtkinson", after.GetProperty("fontFamily").GetString()!.Trim('"'), StringComparison.Ordinal);
        // The font really loads (from the API, under its OFL licence), rather than being a name in a stack.
        await page.WaitForFunctionAsync("() => [...document.fonts].filter(f => f.family.replaceAll('\"', '') === 'ComxAtkinson' && f.status === 'loaded').length === 2");
        Assert.True(await page.EvaluateAsync<bool>("document.fonts.check('24px ComxAtkinson')"));
        Assert.Equal("none", after.GetProperty("animation").GetString());
        Assert.Equal("en-GB", await page.EvaluateAsync<string>($"{Shadow}.querySelector('.comx').lang"));

        await page.WaitForFunctionAsync("window.__spoken.some(t => t.includes('8am to 4pm'))");
        await page.Locator(".msg.bot:not(.greeting)").GetByRole(AriaRole.Button, new() { Name = "Read aloud" }).ClickAsync();
        await page.WaitForFunctionAsync("window.__spoken.length >= 2");
        await page.Locator(".panel").ScreenshotAsync(new() { Path = Path.Combine(WidgetSite.Artifacts, "widget-high-contrast.png") });
    }

    [Fact]
    public async Task OpenWidget_HasNoSeriousOrCriticalAxeViolations()
    {
        var (_, key) = await site.CreateOrgAsync();
        var page = await OpenWidgetAsync(key);
        var answer = await AskAsync(page, Question);
        await answer.GetByRole(AriaRole.Button, new() { Name = "Sources (1)" }).ClickAsync();
        await Expect(answer.GetByRole(AriaRole.Link, new() { Name = "Opening hours" })).ToBeVisibleAsync();
        await page.ScreenshotAsync(new() { Path = Path.Combine(WidgetSite.Artifacts, "widget-default.png") });
        await page.AddScriptTagAsync(new() { Path = Path.Combine(Node.Root, "node_modules", "axe-core", "axe.min.js") });
        AssertNoViolations(await SeriousViolationsAsync(page));

        await page.Locator(".panel").GetByRole(AriaRole.Button, new() { Name = "Contact us instead" }).ClickAsync();
        await page.Locator(".panel").GetByRole(AriaRole.Button, new() { Name = "Send enquiry" }).ClickAsync();
        await Expect(page.Locator("#comx-name-error")).ToBeVisibleAsync();
        AssertNoViolations(await SeriousViolationsAsync(page));
    }

    [Theory]
    [InlineData(320, 640)]
    [InlineData(640, 360)] // a 1280×720 window at 200% zoom
    public async Task SmallViewports_ThePanelFitsAndStaysUsable(int width, int height)
    {
        var (_, key) = await site.CreateOrgAsync();
        var page = await site.NewPageAsync(width, height);
        await page.GotoAsync($"/demo?key={key}");
        await page.Locator(".launcher").ClickAsync();
        await page.Locator(".panel").EvaluateAsync("el => Promise.all(el.getAnimations().map(a => a.finished))");
        var panel = await page.Locator(".panel").BoundingBoxAsync();
        Assert.NotNull(panel);
        Assert.True(panel.X >= 0 && panel.Y >= 0 && panel.X + panel.Width <= width && panel.Y + panel.Height <= height, $"The panel ({panel.Width}×{panel.Height} at {panel.X},{panel.Y}) overflows {width}×{height}.");
        await Expect(page.Locator(".send")).ToBeInViewportAsync();
        await AskAsync(page, Question);
        Assert.False(await page.EvaluateAsync<bool>("document.documentElement.scrollWidth > innerWidth"), "The page scrolls sideways.");
    }

    private Task<IPage> OpenWidgetAsync(string key, string? learner = null) => site.OpenWidgetAsync(key, learner);

    private static Task<ILocator> AskAsync(IPage page, string question) => WidgetSite.AskAsync(page, question);

    private static void AssertNoViolations(string[] violations) => Assert.True(violations.Length == 0, string.Join("\n", violations));

    private static Task<string> SessionIdAsync(IPage page, string key) =>
        page.EvaluateAsync<string>($"JSON.parse(sessionStorage.getItem('comx:{key}')).session.id");

    private static Task<string> FocusedAsync(IPage page, string property) =>
        page.EvaluateAsync<string>($"(({Shadow}.activeElement || {{}})['{property}'] || '').trim()");

    private static Task<JsonElement> StylesAsync(IPage page) => page.EvaluateAsync<JsonElement>($$"""
        () => {
          const s = {{Shadow}};
          const text = getComputedStyle(s.querySelector('.msg.bot:not(.greeting) p'));
          const panel = getComputedStyle(s.querySelector('.panel'));
          return { fontSize: text.fontSize, fontFamily: text.fontFamily, background: panel.backgroundColor, color: panel.color, animation: panel.animationName };
        }
        """);

    private static async Task<string[]> SeriousViolationsAsync(IPage page) => await page.EvaluateAsync<string[]>("""
        async () => {
          const result = await axe.run(document, { resultTypes: ['violations'] });
          return result.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
            .map(v => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map(n => JSON.stringify(n.target) + ' ' + n.failureSummary).join('; ')}`);
        }
        """);
}
