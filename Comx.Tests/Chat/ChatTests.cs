using Comx.Core.Billing;
using Comx.Core.Events;
using Comx.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Comx.Tests.Chat;

public sealed class ChatTests : IAsyncLifetime
{
    private TestApp _app = null!;
    private ChatTestOrg _org = null!;

    public async ValueTask InitializeAsync()
    {
        _app = await TestApp.StartAsync();
        _org = await ChatTestOrg.CreateAsync(_app);
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task Session_ReturnsTokenGreetingAndExpiry()
    {
        var request = TestApp.Request(HttpMethod.Post, "/api/public/v1/chat/sessions", TestApp.Json(new { widget_key = _org.WidgetKey }), TestSettings.NewIp());
        request.Headers.Add("Origin", ChatTestOrg.Origin);
        var response = await _app.Client.SendAsync(request);
        var session = await response.JsonAsync(201);
        Assert.StartsWith("ses_", session.GetProperty("session_id").GetString(), StringComparison.Ordinal);
        Assert.StartsWith("cst_", session.GetProperty("session_token").GetString(), StringComparison.Ordinal);
        Assert.Equal("Hello from Hillside!", session.GetProperty("greeting").GetString());
        Assert.True(session.GetProperty("expires_at").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddHours(23));
        Assert.Equal(ChatTestOrg.Origin, response.Header("Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task UnknownWidgetKey_Returns404_DisallowedOrigin_Returns403()
    {
        await (await _app.Client.SendAsync(TestApp.Request(HttpMethod.Post, "/api/public/v1/chat/sessions",
            TestApp.Json(new { widget_key = "comx_pk_nope" }), TestSettings.NewIp()))).ErrorAsync(404, "COMX_NOT_FOUND");

        var foreign = TestApp.Request(HttpMethod.Post, "/api/public/v1/chat/sessions", TestApp.Json(new { widget_key = _org.WidgetKey }), TestSettings.NewIp());
        foreign.Headers.Add("Origin", "https://evil.example");
        var refused = await _app.Client.SendAsync(foreign);
        await refused.ErrorAsync(403, "COMX_FORBIDDEN");
        Assert.False(refused.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task Preflight_GrantsAllowedOriginOnly()
    {
        var allowed = TestApp.Request(HttpMethod.Options, "/api/public/v1/chat/messages", ip: TestSettings.NewIp());
        allowed.Headers.Add("Origin", ChatTestOrg.Origin);
        allowed.Headers.Add("Access-Control-Request-Method", "POST");
        var granted = await _app.Client.SendAsync(allowed);
        Assert.Equal(204, (int)granted.StatusCode);
        Assert.Equal(ChatTestOrg.Origin, granted.Header("Access-Control-Allow-Origin"));
        Assert.Contains("X-Session-Token", granted.Header("Access-Control-Allow-Headers"), StringComparison.Ordinal);

        var other = TestApp.Request(HttpMethod.Options, "/api/public/v1/chat/messages", ip: TestSettings.NewIp());
        other.Headers.Add("Origin", "https://evil.example");
        other.Headers.Add("Access-Control-Request-Method", "POST");
        Assert.False((await _app.Client.SendAsync(other)).Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task GroundedQuestion_IsAnsweredCitingTheRightSource()
    {
        var visitor = await _org.StartAsync(_app);
        var reply = await visitor.AskAsync("When does the autumn term start?");
        var answer = reply.GetProperty("answer");
        Assert.Contains("2 September 2026", answer.GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.False(answer.GetProperty("fallback").GetBoolean());
        Assert.True(answer.GetProperty("confidence").GetDouble() >= 0.45);
        var citation = answer.GetProperty("citations")[0];
        Assert.Equal("src_terms", citation.GetProperty("source_id").GetString());
        Assert.Equal("https://www.hillside.example/term-dates", citation.GetProperty("url").GetString());
        Assert.False(reply.GetProperty("handoff_active").GetBoolean());
        Assert.False(reply.GetProperty("safeguarding").GetProperty("escalated").GetBoolean());

        var stored = await (await _app.Client.GetAsync(new Uri($"/api/public/v1/answers/{answer.GetProperty("answer_id").GetString()}", UriKind.Relative))).JsonAsync(200);
        Assert.Equal("When does the autumn term start?", stored.GetProperty("question").GetString());
        Assert.Equal(answer.GetProperty("text").GetString(), stored.GetProperty("text").GetString());
        Assert.Equal("src_terms", stored.GetProperty("citations")[0].GetProperty("source_id").GetString());
    }

    [Fact]
    public async Task UngroundedQuestion_GetsTheFallbackOfferingAPerson()
    {
        var visitor = await _org.StartAsync(_app);
        var answer = (await visitor.AskAsync("What is the capital of Peru?")).GetProperty("answer");
        Assert.True(answer.GetProperty("fallback").GetBoolean());
        Assert.Equal(0, answer.GetProperty("citations").GetArrayLength());
        Assert.Contains("member of staff", answer.GetProperty("text").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Conversation_IsStoredAsAnInboxThread()
    {
        var visitor = await _org.StartAsync(_app);
        var first = await visitor.AskAsync("What do pupils wear?");
        var messages = (await visitor.MessagesAsync()).GetProperty("data");
        Assert.Equal(["visitor", "bot"], messages.EnumerateArray().Select(m => m.GetProperty("role").GetString()).ToArray());
        Assert.Equal(first.GetProperty("message_id").GetString(), messages[0].GetProperty("message_id").GetString());
        Assert.Empty((await visitor.MessagesAsync(messages[1].GetProperty("message_id").GetString())).GetProperty("data").EnumerateArray());

        var threads = await (await _app.Client.SendAsync(_org.Org.AsAdmin(HttpMethod.Get, "/api/org/v1/inbox/threads"))).JsonAsync(200);
        var thread = threads.GetProperty("data").EnumerateArray().Single(t => t.GetProperty("session_id").GetString() == visitor.SessionId);
        Assert.Equal(2, thread.GetProperty("message_count").GetInt32());
        Assert.Equal("open", thread.GetProperty("status").GetString());
    }

    [Fact]
    public async Task WrongOrMissingSessionToken_Returns401()
    {
        var a = await _org.StartAsync(_app);
        var b = await _org.StartAsync(_app);
        await (await _app.Client.SendAsync(a.Message("hello", token: b.Token))).ErrorAsync(401, "COMX_UNAUTHENTICATED");
        await (await _app.Client.SendAsync(a.Message("hello", token: ""))).ErrorAsync(401, "COMX_UNAUTHENTICATED");
        var read = TestApp.Request(HttpMethod.Get, $"/api/public/v1/chat/sessions/{a.SessionId}/messages", ip: TestSettings.NewIp());
        read.Headers.Add("X-Session-Token", b.Token);
        await (await _app.Client.SendAsync(read)).ErrorAsync(401, "COMX_UNAUTHENTICATED");
    }

    [Fact]
    public async Task BlockedTerm_IsRefusedWithTheOrgsMessage_AndNothingIsStored()
    {
        var policy = new { blocked_terms = new[] { "casino" }, escalation_terms = Array.Empty<string>(), use_default_lexicon = true,
            contact = new { name = "Ms Patel", email = "dsl@hillside.example" }, block_message = "Let's keep this chat about school.",
            escalation_message = "Thank you for telling us. A member of staff has been alerted.", redact_pii = true };
        await (await _app.Client.SendAsync(_org.Org.AsAdmin(HttpMethod.Put, "/api/org/v1/safeguarding", TestApp.Json(policy)))).JsonAsync(200);

        var visitor = await _org.StartAsync(_app);
        var error = await (await _app.Client.SendAsync(visitor.Message("best C.A.S.1.N.O sites?"))).ErrorAsync(403, "COMX_POLICY_BLOCK");
        Assert.Equal("Let's keep this chat about school.", error.GetProperty("message").GetString());
        Assert.Empty((await visitor.MessagesAsync()).GetProperty("data").EnumerateArray());
    }

    [Theory]
    [InlineData("i want to k1ll mys3lf")]
    [InlineData("my stepdad  H I T S  me")]
    public async Task DisclosureWithObfuscatedSpelling_EscalatesFlagsAndRaisesAnAlert(string message)
    {
        var visitor = await _org.StartAsync(_app);
        var reply = await visitor.AskAsync(message);
        Assert.True(reply.GetProperty("safeguarding").GetProperty("escalated").GetBoolean());
        Assert.Contains("Childline", reply.GetProperty("answer").GetProperty("text").GetString(), StringComparison.Ordinal);

        var threads = await (await _app.Client.SendAsync(_org.Org.AsAdmin(HttpMethod.Get, "/api/org/v1/inbox/threads"))).JsonAsync(200);
        Assert.True(threads.GetProperty("data").EnumerateArray().Single(t => t.GetProperty("session_id").GetString() == visitor.SessionId)
            .GetProperty("safeguarding_flag").GetBoolean());
        var outbox = await _app.Services.GetRequiredService<EventStore>().ListAsync(_org.Org.OrgId, 100);
        Assert.Contains(outbox, e => e.Type == EventTypes.SafeguardingAlert && e.Json.Contains(visitor.SessionId, StringComparison.Ordinal));
    }

    [Fact]
    public async Task PersonalDetails_AreRedactedFromTheStoredTranscript()
    {
        var visitor = await _org.StartAsync(_app);
        await visitor.AskAsync("Please email jo.bloggs@example.com or ring 07700 900123 about uniform");
        var stored = (await visitor.MessagesAsync()).GetProperty("data")[0].GetProperty("text").GetString()!;
        Assert.DoesNotContain("jo.bloggs@example.com", stored, StringComparison.Ordinal);
        Assert.DoesNotContain("07700 900123", stored, StringComparison.Ordinal);
        Assert.Contains("[email]", stored, StringComparison.Ordinal);
        Assert.Contains("[phone]", stored, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EasyReadLearner_GetsADifferentShorterAnswer()
    {
        var question = "When does the autumn term start and when is half term?";
        var standard = (await (await _org.StartAsync(_app)).AskAsync(question)).GetProperty("answer").GetProperty("text").GetString()!;
        var prefs = new { reading_level = "easy_read", font_scale = 1.5, dyslexia_font = true, high_contrast = false, reduce_motion = true, text_to_speech = false, language = "en-GB" };
        await (await _app.Client.SendAsync(_org.Org.AsMember(HttpMethod.Put, "/api/org/v1/learner-accessibility/learner_amy", TestApp.Json(prefs)))).JsonAsync(200);

        var easy = (await (await _org.StartAsync(_app, learnerId: "learner_amy")).AskAsync(question)).GetProperty("answer").GetProperty("text").GetString()!;
        Assert.NotEqual(standard, easy);
        Assert.Contains("2 September", easy, StringComparison.Ordinal);
        Assert.Contains("•", easy, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LearnerPreferences_AreValidatedAndDefaulted()
    {
        var defaults = await (await _app.Client.SendAsync(_org.Org.AsMember(HttpMethod.Get, "/api/org/v1/learner-accessibility/learner_new"))).JsonAsync(200);
        Assert.Equal("standard", defaults.GetProperty("reading_level").GetString());
        Assert.Equal(1.0, defaults.GetProperty("font_scale").GetDouble());
        var bad = new { reading_level = "standard", font_scale = 3.0, dyslexia_font = false, high_contrast = false, reduce_motion = false, text_to_speech = false, language = "en-GB" };
        var error = await (await _app.Client.SendAsync(_org.Org.AsMember(HttpMethod.Put, "/api/org/v1/learner-accessibility/learner_new", TestApp.Json(bad)))).ErrorAsync(400, "COMX_VALIDATION_ERROR");
        Assert.Equal("font_scale", error.GetProperty("details").GetProperty("field").GetString());
    }

    [Fact]
    public async Task TwentyFirstChatRequestInAMinute_Returns429()
    {
        await TestSettings.FreshRateWindowAsync();
        var visitor = await _org.StartAsync(_app);
        // The session creation was request 1 from this address.
        for (var i = 2; i <= 20; i++)
        {
            await (await _app.Client.SendAsync(visitor.Message("What do pupils wear?"))).JsonAsync(200);
        }

        var limited = await _app.Client.SendAsync(visitor.Message("What do pupils wear?"));
        await limited.ErrorAsync(429, "COMX_RATE_LIMITED");
        Assert.True(int.Parse(limited.Header("Retry-After"), System.Globalization.CultureInfo.InvariantCulture) >= 1);
    }

    [Fact]
    public async Task MonthlyMessageLimit_Returns403WithReason()
    {
        var org = await ChatTestOrg.CreateAsync(_app);
        await _app.Services.GetRequiredService<UsageCounter>().IncrementAsync(org.Org.OrgId, PlanLimit.MessagesPerMonth, PlanCatalog.Limit(Plan.Trial, PlanLimit.MessagesPerMonth));
        var visitor = await org.StartAsync(_app);
        var error = await (await _app.Client.SendAsync(visitor.Message("What do pupils wear?"))).ErrorAsync(403, "COMX_FORBIDDEN");
        Assert.Equal("plan_limit", error.GetProperty("details").GetProperty("reason").GetString());
        Assert.Equal(1000, error.GetProperty("details").GetProperty("limit").GetInt64());
    }

    [Fact]
    public async Task HandedOffThread_GetsNoBotAnswer_AndStaffRepliesReachTheVisitor()
    {
        var visitor = await _org.StartAsync(_app);
        await visitor.AskAsync("What do pupils wear?");
        var threadId = (await (await _app.Client.SendAsync(_org.Org.AsAdmin(HttpMethod.Get, "/api/org/v1/inbox/threads"))).JsonAsync(200))
            .GetProperty("data").EnumerateArray().Single(t => t.GetProperty("session_id").GetString() == visitor.SessionId).GetProperty("thread_id").GetString();
        await (await _app.Client.SendAsync(_org.Org.AsKey(HttpMethod.Post, "/api/org/v1/handoffs", TestApp.Json(new { thread_id = threadId, reason = "parent asked for a person" })))).JsonAsync(201);

        var paused = await visitor.AskAsync("Can I speak to someone?");
        Assert.Equal(System.Text.Json.JsonValueKind.Null, paused.GetProperty("answer").ValueKind);
        Assert.True(paused.GetProperty("handoff_active").GetBoolean());

        var reply = await (await _app.Client.SendAsync(_org.Org.AsMember(HttpMethod.Post, $"/api/org/v1/inbox/threads/{threadId}/messages", TestApp.Json(new { text = "Hi, this is Mrs Khan from the office." })))).JsonAsync(201);
        Assert.Equal(_org.Org.MemberUserId, reply.GetProperty("author_id").GetString());
        var messages = (await visitor.MessagesAsync(paused.GetProperty("message_id").GetString())).GetProperty("data");
        Assert.Equal("agent", messages[0].GetProperty("role").GetString());
        Assert.Equal("Hi, this is Mrs Khan from the office.", messages[0].GetProperty("text").GetString());

        await (await _app.Client.SendAsync(_org.Org.AsMember(HttpMethod.Post, $"/api/org/v1/inbox/threads/{threadId}/resolve"))).JsonAsync(200);
        Assert.NotEqual(System.Text.Json.JsonValueKind.Null, (await visitor.AskAsync("What do pupils wear?")).GetProperty("answer").ValueKind);
    }
}
