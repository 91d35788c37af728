using Comx.Core.Chat;
using Comx.Core.Identity;
using Comx.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Comx.Tests.Widget;

/// <summary>
/// The second release's widget in Debian's Chromium: message sync in and out of handoff, asking for a person, business
/// hours, the page beside a desktop widget, rich answers, votes, and axe in every state at font scale 1 and 2 and 390 px.
/// </summary>
public sealed class WidgetHandoffBrowserTests(WidgetSite site) : IClassFixture<WidgetSite>
{
    private const string Shadow = "document.querySelector('#comx-widget').shadowRoot";
    private const string Question = "When does the school office open?";

    private Task<IPage> OpenAsync(string key, string? learner = null, int width = 1280, int height = 800) => site.OpenWidgetAsync(key, learner, width, height);

    private static Task<ILocator> AskAsync(IPage page, string question) => WidgetSite.AskAsync(page, question);

    private async Task<string> ThreadIdAsync(IPage page, string key)
    {
        // The storage key is comx:<widget key>[:<learner id>].
        var sessionId = await page.EvaluateAsync<string>($"JSON.parse(sessionStorage.getItem(Object.keys(sessionStorage).find(k => k.startsWith('comx:{key}')))).session.id");
        return (await site.Services.GetRequiredService<ChatSessionStore>().GetAsync(sessionId))!.ThreadId;
    }

    private Task StaffReplyAsync(TestOrg org, string threadId, string text) =>
        site.OrgCallAsync(org, HttpMethod.Post, $"/api/org/v1/inbox/threads/{threadId}/messages", new { text });

    private static async Task<string[]> AxeAsync(IPage page)
    {
        if (!await page.EvaluateAsync<bool>("typeof axe !== 'undefined'"))
        {
            await page.AddScriptTagAsync(new() { Path = Path.Combine(Node.Root, "node_modules", "axe-core", "axe.min.js") });
        }

        return await page.EvaluateAsync<string[]>("""
            async () => {
              const result = await axe.run(document, { resultTypes: ['violations'] });
              return result.violations.map(v => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map(n => JSON.stringify(n.target) + ' ' + n.failureSummary).join('; ')}`);
            }
            """);
    }

    private static async Task AssertAxeCleanAsync(IPage page, string state)
    {
        var violations = await AxeAsync(page);
        Assert.True(violations.Length == 0, $"{state}:\n" + string.Join("\n", violations));
    }

    [Fact]
    public async Task StaffReplies_ArriveWhileOpenAndAfterAReload_InAndOutOfHandoff_WithListsAndTelLinks()
    {
        var (org, key) = await site.CreateOrgAsync();
        var page = await OpenAsync(key);
        await AskAsync(page, Question);
        var threadId = await ThreadIdAsync(page, key);

        // Not in a handoff: the widget polls while it is open, so a staff reply still arrives.
        await StaffReplyAsync(org, threadId, "Hello, this is Ms Patel. You can call the office on 01234 567890.\nWe can help with:\n- uniform grants\n- school meals");
        var agent = page.Locator(".msg.agent");
        await Expect(agent).ToContainTextAsync("Ms Patel");
        await Expect(agent.Locator("a[href='tel:01234567890']")).ToHaveTextAsync("01234 567890");
        await Expect(agent.Locator("li")).ToHaveTextAsync(["uniform grants", "school meals"]);
        await Expect(page.Locator(".note")).ToContainTextAsync("A member of staff has joined the chat.");

        // After a reload: the history is there, and the next reply (now in handoff) arrives too.
        await page.ReloadAsync();
        await page.Locator(".launcher").ClickAsync();
        await Expect(page.Locator(".msg.agent")).ToHaveCountAsync(1);
        await StaffReplyAsync(org, threadId, "Are you still there?");
        await Expect(page.Locator(".msg.agent")).ToHaveCountAsync(2);
        await Expect(page.Locator(".msg.agent").Nth(1)).ToContainTextAsync("Are you still there?");

        // Out of handoff: the bot answers again, and a later staff reply still arrives once.
        await site.OrgCallAsync(org, HttpMethod.Post, $"/api/org/v1/inbox/threads/{threadId}/resolve");
        await AskAsync(page, "What do pupils wear?");
        await StaffReplyAsync(org, threadId, "One more thing: PE kit is on Fridays.");
        await Expect(page.Locator(".msg.agent")).ToHaveCountAsync(3);
        await page.ReloadAsync();
        await page.Locator(".launcher").ClickAsync();
        await Expect(page.Locator(".msg.agent")).ToHaveCountAsync(3);
        await Expect(page.Locator(".msg.visitor")).ToHaveCountAsync(2);
    }

    [Fact]
    public async Task KeyboardOnlyVisitor_AsksForAPerson()
    {
        var (org, key) = await site.CreateOrgAsync();
        var page = await site.NewPageAsync();
        await page.GotoAsync($"/demo?key={key}");
        await page.Locator(".launcher").WaitForAsync();
        await page.Keyboard.PressAsync("Tab");
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.GetByRole(AriaRole.Dialog)).ToBeVisibleAsync();
        await page.Keyboard.PressAsync("Tab");
        await page.Keyboard.PressAsync("Tab");
        Assert.Equal("Talk to a person", await page.EvaluateAsync<string>($"{Shadow}.activeElement.textContent"));
        await page.Keyboard.PressAsync("Enter");

        await Expect(page.Locator(".note")).ToContainTextAsync("member of staff");
        await Expect(page.Locator(".panel").GetByRole(AriaRole.Button, new() { Name = "Talk to a person" })).ToBeHiddenAsync();
        Assert.Equal("comx-input", await page.EvaluateAsync<string>($"{Shadow}.activeElement.id"));
        var thread = await site.OrgCallAsync(org, HttpMethod.Get, $"/api/org/v1/inbox/threads/{await ThreadIdAsync(page, key)}");
        Assert.Equal("handoff", thread.GetProperty("status").GetString());
        Assert.Equal("visitor", thread.GetProperty("handoff").GetProperty("requested_by").GetString());

        await page.Keyboard.TypeAsync("My child has lost her coat.");
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.Locator(".msg.visitor")).ToContainTextAsync("lost her coat");
        await Expect(page.Locator(".msg.bot:not(.greeting)")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task OutsideBusinessHours_ShowsTheAwayMessage_AndTheHandoffOffersTheEnquiryForm()
    {
        var (org, key) = await site.CreateOrgAsync();
        await site.Services.GetRequiredService<WidgetSettingsStore>().UpdateAsync(org.OrgId, new WidgetSettingsRequest([site.Origin], "Hello! Ask me about Hillside school.", true,
            new WidgetTheme("#0b5394", "right", "Ask Hillside"), true, new BusinessHours("Europe/London", new Dictionary<string, IReadOnlyList<IReadOnlyList<string>>>()),
            "The office is closed for the holidays."));
        var page = await OpenAsync(key);
        await Expect(page.Locator(".note.away")).ToContainTextAsync("The office is closed for the holidays.");

        await page.Locator(".panel").GetByRole(AriaRole.Button, new() { Name = "Talk to a person" }).ClickAsync();
        // The handoff's own note (a div with its button), not the away line above the conversation, which may say the same.
        var note = page.Locator("div.note").Filter(new() { HasText = "enquiry form" });
        await Expect(note).ToContainTextAsync("The office is closed for the holidays.");
        await note.GetByRole(AriaRole.Button, new() { Name = "Leave your details" }).ClickAsync();
        await Expect(page.Locator(".panel").GetByLabel("Your name")).ToBeFocusedAsync();
        await AssertAxeCleanAsync(page, "enquiry form after an away handoff");
    }

    [Fact]
    public async Task OnADesktop_TheHostPageStaysUsableWhileTheWidgetIsOpen()
    {
        var (_, key) = await site.CreateOrgAsync();
        var page = await OpenAsync(key);
        await page.EvaluateAsync("() => { const i = document.createElement('input'); i.id = 'page-search'; i.setAttribute('aria-label', 'Search the site'); document.querySelector('main').prepend(i); }");
        Assert.Equal("false", await page.EvaluateAsync<string>($"{Shadow}.querySelector('.panel').getAttribute('aria-modal')"));

        await page.Locator("#page-search").ClickAsync();
        await page.Keyboard.TypeAsync("term dates");
        await Expect(page.Locator("#page-search")).ToHaveValueAsync("term dates");
        Assert.Equal("page-search", await page.EvaluateAsync<string>("document.activeElement.id"));
        await Expect(page.GetByRole(AriaRole.Dialog)).ToBeVisibleAsync();

        // On a phone the panel fills the screen, so there it is modal and keeps focus.
        var phone = await OpenAsync(key, width: 390, height: 844);
        Assert.Equal("true", await phone.EvaluateAsync<string>($"{Shadow}.querySelector('.panel').getAttribute('aria-modal')"));
        for (var i = 0; i < 8; i++)
        {
            await phone.Keyboard.PressAsync("Tab");
            Assert.True(await phone.EvaluateAsync<bool>($"{Shadow}.querySelector('.panel').contains({Shadow}.activeElement)"), "Focus left the full-screen dialog.");
        }
    }

    [Fact]
    public async Task Launcher_IsThemedFromItsFirstPaint()
    {
        var (_, key) = await site.CreateOrgAsync();
        var page = await site.NewPageAsync();
        // Record the launcher's colour the moment the widget joins the page, before anything is painted.
        await page.AddInitScriptAsync("""
            new MutationObserver((records, observer) => {
              const host = document.querySelector('#comx-widget');
              if (!host) return;
              window.__firstLauncher = getComputedStyle(host.shadowRoot.querySelector('.launcher')).backgroundColor;
              observer.disconnect();
            }).observe(document, { childList: true, subtree: true });
            """);
        await page.GotoAsync($"/demo?key={key}");
        await page.Locator(".launcher").WaitForAsync();
        Assert.Equal("rgb(11, 83, 148)", await page.EvaluateAsync<string>("window.__firstLauncher"));
    }

    [Fact]
    public async Task Votes_AreSentAndShown_AndSourcesOpenBelowTheirButton()
    {
        var (_, key) = await site.CreateOrgAsync();
        var page = await OpenAsync(key);
        var answer = await AskAsync(page, Question);
        var sources = answer.GetByRole(AriaRole.Button, new() { Name = "Sources (1)" });
        await sources.ClickAsync();
        var list = answer.Locator(".sources");
        await Expect(list.GetByRole(AriaRole.Link, new() { Name = "Opening hours" })).ToBeVisibleAsync();
        // Both measured at once: the list scrolls itself into view, which moves everything.
        var gap = await answer.EvaluateAsync<double>("a => a.querySelector('.sources').getBoundingClientRect().top - [...a.querySelectorAll('button')].find(b => b.textContent.startsWith('Sources')).getBoundingClientRect().bottom");
        Assert.True(gap >= 0, $"The sources list opens {-gap}px above the bottom of its button.");
        await Expect(list).ToBeInViewportAsync();

        var answerId = await page.EvaluateAsync<string>($"JSON.parse(sessionStorage.getItem('comx:{key}')).messages.find(m => m.role === 'bot').answerId");
        await answer.GetByRole(AriaRole.Button, new() { Name = "Not helpful" }).ClickAsync();
        await Expect(answer.GetByRole(AriaRole.Button, new() { Name = "Not helpful" })).ToHaveAttributeAsync("aria-pressed", "true");
        await Expect(answer.Locator(".thanks")).ToHaveTextAsync("Thanks for your feedback.");
        Assert.False((await site.Services.GetRequiredService<AnswerStore>().GetAsync(answerId))!.Feedback!.Helpful);
        await answer.GetByRole(AriaRole.Button, new() { Name = "Helpful", Exact = true }).ClickAsync();
        await Expect(answer.GetByRole(AriaRole.Button, new() { Name = "Helpful", Exact = true })).ToHaveAttributeAsync("aria-pressed", "true");
        await Expect(answer.GetByRole(AriaRole.Button, new() { Name = "Not helpful" })).ToHaveAttributeAsync("aria-pressed", "false");
        Assert.True((await site.Services.GetRequiredService<AnswerStore>().GetAsync(answerId))!.Feedback!.Helpful);
    }

    [Theory]
    [InlineData(1280, 800, 1.0)]
    [InlineData(1280, 800, 2.0)]
    [InlineData(390, 844, 1.0)]
    [InlineData(390, 844, 2.0)]
    public async Task EveryState_HasNoAxeViolations_AndNothingIsClipped(int width, int height, double scale)
    {
        var (org, key) = await site.CreateOrgAsync();
        var learner = "lrn_" + Guid.NewGuid().ToString("N")[..10];
        await site.OrgCallAsync(org, HttpMethod.Put, $"/api/org/v1/learner-accessibility/{learner}", new
        {
            reading_level = "standard", font_scale = scale, dyslexia_font = false, high_contrast = false, reduce_motion = true, text_to_speech = false, language = "en-GB",
        });
        var page = await OpenAsync(key, learner, width, height);
        await AssertAxeCleanAsync(page, "open");
        await AssertNotClippedAsync(page, width);

        var answer = await AskAsync(page, Question);
        await answer.GetByRole(AriaRole.Button, new() { Name = "Sources (1)" }).ClickAsync();
        await Expect(answer.GetByRole(AriaRole.Link, new() { Name = "Opening hours" })).ToBeVisibleAsync();
        await answer.GetByRole(AriaRole.Button, new() { Name = "Helpful", Exact = true }).ClickAsync();
        await Expect(answer.Locator(".thanks")).ToHaveTextAsync("Thanks for your feedback.");
        await AssertAxeCleanAsync(page, "answered, sources open, voted");
        await AssertNotClippedAsync(page, width);

        await page.Locator(".panel").GetByRole(AriaRole.Button, new() { Name = "Talk to a person" }).ClickAsync();
        await Expect(page.Locator(".note")).ToContainTextAsync("member of staff");
        await StaffReplyAsync(org, await ThreadIdAsync(page, key), "Hi, Ms Patel here. Call 0800 1111 if it's urgent.");
        await Expect(page.Locator(".msg.agent")).ToContainTextAsync("Ms Patel");
        await AssertAxeCleanAsync(page, "handoff with a staff reply");
        await AssertNotClippedAsync(page, width);

        await page.Locator(".panel").GetByRole(AriaRole.Button, new() { Name = "Contact us instead" }).ClickAsync();
        await page.Locator(".panel").GetByRole(AriaRole.Button, new() { Name = "Send enquiry" }).ClickAsync();
        await Expect(page.Locator("#comx-name-error")).ToBeVisibleAsync();
        await AssertAxeCleanAsync(page, "enquiry form with errors");
        await AssertNotClippedAsync(page, width);
        await page.ScreenshotAsync(new() { Path = Path.Combine(WidgetSite.Artifacts, $"widget-{width}-x{scale:0.0}.png") });
    }

    /// <summary>No control is cut off: nothing sticks out of the panel sideways and the text box shows its placeholder whole.</summary>
    private static async Task AssertNotClippedAsync(IPage page, int width)
    {
        var problems = await page.EvaluateAsync<string[]>($$"""
            () => {
              const s = {{Shadow}};
              const panel = s.querySelector('.panel').getBoundingClientRect();
              const out = [];
              if (panel.right > innerWidth + 0.5 || panel.left < -0.5) out.push(`panel ${panel.left}..${panel.right} of ${innerWidth}`);
              for (const el of s.querySelectorAll('.panel :is(button:not([hidden]), textarea, input, label, h2, .msg):not(.sr)')) {
                const r = el.getBoundingClientRect();
                if (r.width === 0) continue;
                if (r.right > panel.right + 0.5 || r.left < panel.left - 0.5) out.push(`${el.tagName}.${el.className} '${(el.textContent || '').trim().slice(0, 30)}' ${r.left}..${r.right}`);
                if (el.scrollWidth > el.clientWidth + 1 && el.tagName !== 'DIV') out.push(`${el.tagName}.${el.className} scrolls sideways`);
              }
              const input = s.querySelector('#comx-input');
              if (input.offsetParent) {
                const saved = input.value;
                input.value = input.placeholder;
                if (input.scrollHeight > input.clientHeight + 1) out.push(`the placeholder needs ${input.scrollHeight}px of ${input.clientHeight}px`);
                input.value = saved;
              }
              return out;
            }
            """);
        Assert.True(problems.Length == 0, $"Clipped at {width}px:\n" + string.Join("\n", problems));
    }
}
