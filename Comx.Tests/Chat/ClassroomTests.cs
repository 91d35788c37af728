using System.Globalization;
using Comx.Core;
using Comx.Core.Billing;
using Comx.Core.Chat;
using Comx.Core.Identity;
using Comx.Core.Knowledge.Retrieval;
using Comx.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Comx.Tests.Chat;

/// <summary>
/// A whole class on one organisation (issue 21): the monthly limit under concurrent messages, the per-IP limit an
/// organisation can raise for a shared address, the per-session limit, and the chat path's cached reads seeing this
/// instance's own writes at once.
/// </summary>
public sealed class ClassroomTests : IAsyncLifetime
{
    private TestApp _app = null!;

    public async ValueTask InitializeAsync() => _app = await TestApp.StartAsync();

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task HundredConcurrentMessages_TenLeftInTheMonth_ExactlyTenAreAnswered()
    {
        var org = await ChatTestOrg.CreateAsync(_app);
        var limit = PlanCatalog.Limit(Plan.Trial, PlanLimit.MessagesPerMonth);
        await _app.Services.GetRequiredService<UsageCounter>().IncrementAsync(org.Org.OrgId, PlanLimit.MessagesPerMonth, limit - 10);
        var visitors = await Task.WhenAll(Enumerable.Range(0, 100).Select(_ => org.StartAsync(_app)));

        var responses = await Task.WhenAll(visitors.Select(v => _app.Client.SendAsync(v.Message("What do pupils wear?"))));

        Assert.Equal(10, responses.Count(r => (int)r.StatusCode == 200));
        foreach (var refused in responses.Where(r => (int)r.StatusCode != 200))
        {
            var error = await refused.ErrorAsync(403, "COMX_FORBIDDEN");
            Assert.Equal("plan_limit", error.GetProperty("details").GetProperty("reason").GetString());
        }

        Assert.Equal(limit, await _app.Services.GetRequiredService<UsageCounter>().GetAsync(org.Org.OrgId, PlanLimit.MessagesPerMonth));
    }

    [Fact]
    public async Task RaisedPerIpLimit_LetsAClassShareOneAddress()
    {
        await TestSettings.FreshRateWindowAsync();
        var org = await ChatTestOrg.CreateAsync(_app);
        await SetWidgetAsync(org, 100);
        var ip = TestSettings.NewIp();
        var pupils = new List<ChatVisitor>();
        for (var i = 0; i < 3; i++)
        {
            pupils.Add(await org.StartAsync(_app, ip: ip));
        }

        // 3 sessions and 21 messages from one address: over the default 20, within the raised 100.
        for (var i = 0; i < 21; i++)
        {
            await (await _app.Client.SendAsync(pupils[i % 3].Message("What do pupils wear?"))).JsonAsync(200);
        }

        var last = await _app.Client.SendAsync(pupils[0].Message("What do pupils wear?"));
        await last.JsonAsync(200);
        Assert.InRange(int.Parse(last.Header("X-RateLimit-Remaining"), CultureInfo.InvariantCulture), 1, 19);
    }

    [Fact]
    public async Task ChatRateLimitPerIp_IsValidated_AndShownInTheWidgetSettings()
    {
        var org = await ChatTestOrg.CreateAsync(_app);
        var before = await (await _app.Client.SendAsync(org.Org.AsMember(HttpMethod.Get, "/api/org/v1/widget"))).JsonAsync(200);
        Assert.Equal(20, before.GetProperty("chat_rate_limit_per_ip").GetInt32());

        foreach (var bad in new[] { 19, 601 })
        {
            var error = await (await _app.Client.SendAsync(org.Org.AsAdmin(HttpMethod.Put, "/api/org/v1/widget", WidgetBody(bad)))).ErrorAsync(400, "COMX_VALIDATION_ERROR");
            Assert.Equal("chat_rate_limit_per_ip", error.GetProperty("details").GetProperty("field").GetString());
        }

        await (await _app.Client.SendAsync(org.Org.AsMember(HttpMethod.Put, "/api/org/v1/widget", WidgetBody(600)))).ErrorAsync(403, "COMX_FORBIDDEN");
        var saved = await (await _app.Client.SendAsync(org.Org.AsAdmin(HttpMethod.Put, "/api/org/v1/widget", WidgetBody(600)))).JsonAsync(200);
        Assert.Equal(600, saved.GetProperty("chat_rate_limit_per_ip").GetInt32());
        // Omitted, the setting is kept.
        var kept = await (await _app.Client.SendAsync(org.Org.AsAdmin(HttpMethod.Put, "/api/org/v1/widget",
            TestApp.Json(new { allowed_origins = new[] { ChatTestOrg.Origin }, greeting = "Hello from Hillside!", handoff_enabled = true })))).JsonAsync(200);
        Assert.Equal(600, kept.GetProperty("chat_rate_limit_per_ip").GetInt32());
    }

    [Fact]
    public async Task OwnWrites_ReachTheNextMessageAtOnce()
    {
        var org = await ChatTestOrg.CreateAsync(_app);
        var visitor = await org.StartAsync(_app);
        Assert.False((await visitor.AskAsync("Is there a chess club?")).GetProperty("answer").GetProperty("text").GetString()!.Contains("Chess club", StringComparison.Ordinal));

        // A new index: the next answer cites it.
        await _app.Services.GetRequiredService<RetrievalIndexStore>().PublishAsync(org.Org.OrgId, Bm25Index.Build(
            [.. ChatTestOrg.Knowledge, new IndexedChunk("chk_chess", "src_chess", "Chess club", null, "Chess", "Chess club meets on Wednesdays at lunchtime in the library.")]));
        var answer = (await visitor.AskAsync("Is there a chess club?")).GetProperty("answer");
        Assert.Equal("src_chess", answer.GetProperty("citations")[0].GetProperty("source_id").GetString());

        // A new safeguarding policy: the next message is checked against it.
        var policy = new { blocked_terms = new[] { "chess" } };
        await (await _app.Client.SendAsync(org.Org.AsAdmin(HttpMethod.Put, "/api/org/v1/safeguarding", TestApp.Json(policy)))).JsonAsync(200);
        await (await _app.Client.SendAsync(visitor.Message("Is there a chess club?"))).ErrorAsync(403, "COMX_POLICY_BLOCK");

        // The widget's origins: the site just removed is refused at once.
        await (await _app.Client.SendAsync(org.Org.AsAdmin(HttpMethod.Put, "/api/org/v1/widget",
            TestApp.Json(new { allowed_origins = new[] { "https://new.hillside.example" }, greeting = "Hello!", handoff_enabled = true })))).JsonAsync(200);
        await (await _app.Client.SendAsync(visitor.Message("What do pupils wear?"))).ErrorAsync(403, "COMX_FORBIDDEN");

        // The organisation's billing: an unpaid subscription stops answers at once.
        await _app.Services.GetRequiredService<OrgDirectory>().UpdateBillingAsync(org.Org.OrgId, o => { o.PlanStatus = "unpaid"; return true; });
        var allowed = new { allowed_origins = new[] { ChatTestOrg.Origin }, greeting = "Hello!", handoff_enabled = true };
        await (await _app.Client.SendAsync(org.Org.AsAdmin(HttpMethod.Put, "/api/org/v1/widget", TestApp.Json(allowed)))).JsonAsync(200);
        var error = await (await _app.Client.SendAsync(visitor.Message("What do pupils wear?"))).ErrorAsync(403, "COMX_FORBIDDEN");
        Assert.Equal("subscription_inactive", error.GetProperty("details").GetProperty("reason").GetString());
    }

    [Fact]
    public async Task SourceRemovedOnAnotherInstance_StopsAnsweringHereAtTheNextMessage()
    {
        await using var otherInstance = await TestApp.StartAsync();
        var org = await ChatTestOrg.CreateAsync(_app, [.. ChatTestOrg.Knowledge,
            new IndexedChunk("chk_chess", "src_chess", "Chess club", null, "Chess", "Chess club meets on Wednesdays at lunchtime in the library.")]);
        var visitor = await org.StartAsync(_app);
        // This instance has the index with the chess club loaded and answers from it.
        var before = (await visitor.AskAsync("Is there a chess club?")).GetProperty("answer");
        Assert.Equal("src_chess", before.GetProperty("citations")[0].GetProperty("source_id").GetString());

        // The source goes on another instance (as DELETE /org/v1/sources does: a new index without its chunks).
        await otherInstance.Services.GetRequiredService<RetrievalIndexStore>().PublishAsync(org.Org.OrgId, Bm25Index.Build(ChatTestOrg.Knowledge));

        var after = (await visitor.AskAsync("Is there a chess club?")).GetProperty("answer");
        Assert.DoesNotContain(after.GetProperty("citations").EnumerateArray(), c => c.GetProperty("source_id").GetString() == "src_chess");
    }

    [Fact]
    public async Task AnswerStoredWithItsThread_IsServedAndRated_AndAnAnswerOfTheOldTableStillIs()
    {
        var org = await ChatTestOrg.CreateAsync(_app);
        var visitor = await org.StartAsync(_app);
        var answerId = (await visitor.AskAsync("What do pupils wear?")).GetProperty("answer").GetProperty("answer_id").GetString()!;
        Assert.StartsWith("ans_", answerId, StringComparison.Ordinal);
        var served = await (await _app.Client.SendAsync(TestApp.Request(HttpMethod.Get, $"/api/public/v1/answers/{answerId}"))).JsonAsync(200);
        Assert.Equal("What do pupils wear?", served.GetProperty("question").GetString());
        var vote = TestApp.Request(HttpMethod.Post, $"/api/public/v1/answers/{answerId}/feedback", TestApp.Json(new { session_id = visitor.SessionId, helpful = false }), visitor.Ip);
        vote.Headers.Add("X-Session-Token", visitor.Token);
        Assert.Equal(204, (int)(await _app.Client.SendAsync(vote)).StatusCode);
        Assert.False((await _app.Services.GetRequiredService<AnswerStore>().GetAsync(answerId))!.Feedback!.Helpful);

        // An answer stored before answers moved into the thread's partition: an id without the organisation.
        var oldId = _app.Services.GetRequiredService<IdGenerator>().New("ans");
        await _app.Services.GetRequiredService<AnswerStore>().AddAsync(new StoredAnswer(oldId, org.Org.OrgId, "Lunch?", "£2.60 a day.", [], 0.9, false, DateTimeOffset.UtcNow));
        var old = await (await _app.Client.SendAsync(TestApp.Request(HttpMethod.Get, $"/api/public/v1/answers/{oldId}"))).JsonAsync(200);
        Assert.Equal("£2.60 a day.", old.GetProperty("text").GetString());
    }

    private async Task SetWidgetAsync(ChatTestOrg org, int perIp) =>
        await (await _app.Client.SendAsync(org.Org.AsAdmin(HttpMethod.Put, "/api/org/v1/widget", WidgetBody(perIp)))).JsonAsync(200);

    private static HttpContent WidgetBody(int perIp) =>
        TestApp.Json(new { allowed_origins = new[] { ChatTestOrg.Origin }, greeting = "Hello from Hillside!", handoff_enabled = true, chat_rate_limit_per_ip = perIp });
}
