using System.Net;
using System.Text.Json;
using Comx.Core.Accessibility;
using Comx.Core.Events;
using Comx.Core.ThinkGuide;
using Comx.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Comx.Tests.ThinkGuide;

public sealed class ThinkGuideTests : IAsyncLifetime
{
    internal const string Sessions = "/api/org/v1/thinkguide/sessions";
    internal const string Question = "How many legs do 3 spiders and 2 ants have altogether?";

    private static readonly string[] GoodResponses =
    [
        "It asks for the total number of legs on all the spiders and ants",
        "A spider has 8 legs and an ant has 6 legs",
        "First multiply the legs for each animal, then add them together",
        "3 times 8 is 24 and 2 times 6 is 12, so 24 plus 12 is 36",
        "I can count the legs again in groups of 8 and 6",
        "Writing each animal on its own line helped me keep track",
    ];

    private TestApp _app = null!;

    public async ValueTask InitializeAsync() => _app = await TestApp.StartAsync();

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    internal static async Task<JsonElement> StartAsync(TestApp app, TestOrg org, string learnerId, string question = Question, string? subject = "maths") =>
        await (await app.Client.SendAsync(org.AsKey(HttpMethod.Post, Sessions, TestApp.Json(new { learner_id = learnerId, question, subject })))).JsonAsync(201);

    private Task<HttpResponseMessage> StepAsync(TestOrg org, string sessionId, string response, string? idempotencyKey = null, int? stepIndex = null)
    {
        var request = org.AsKey(HttpMethod.Post, $"{Sessions}/{sessionId}/step", TestApp.Json(stepIndex is null ? new { response } : new { response, step_index = stepIndex }));
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        return _app.Client.SendAsync(request);
    }

    private async Task<JsonElement> GetAsync(TestOrg org, string sessionId) =>
        await (await _app.Client.SendAsync(org.AsKey(HttpMethod.Get, $"{Sessions}/{sessionId}"))).JsonAsync(200);

    [Fact]
    public async Task FullSession_WalksFromQuestionToASummaryOfTheLearnersReasoning()
    {
        var org = await TestOrg.CreateAsync(_app);
        var started = await StartAsync(_app, org, "lrn_full");
        var sessionId = started.GetProperty("session_id").GetString()!;

        Assert.StartsWith("tgs_", sessionId, StringComparison.Ordinal);
        Assert.Equal("understand", started.GetProperty("stage").GetString());
        Assert.Equal(0, started.GetProperty("step_index").GetInt32());
        Assert.False(started.GetProperty("completed").GetBoolean());
        Assert.Equal(ThinkGuideEngine.FirstPrompt(Question, ReadingLevel.Standard), started.GetProperty("prompt").GetString());

        string[] expectedStages = ["what_you_know", "plan", "try", "check", "reflect", "summary"];
        JsonElement turn = default;
        for (var i = 0; i < GoodResponses.Length; i++)
        {
            turn = await (await StepAsync(org, sessionId, GoodResponses[i])).JsonAsync(200);
            Assert.Equal(expectedStages[i], turn.GetProperty("stage").GetString());
            Assert.Equal(i + 1, turn.GetProperty("step_index").GetInt32());
            Assert.False(turn.GetProperty("re_prompted").GetBoolean());
            if (i < 3)
            {
                // The learner wrote "36" in step 3; no prompt before it may contain it.
                Assert.DoesNotContain("36", turn.GetProperty("prompt").GetString(), StringComparison.Ordinal);
                Assert.Contains(GoodResponses[i].Split(' ')[1], turn.GetProperty("prompt").GetString(), StringComparison.Ordinal);
            }
        }

        Assert.True(turn.GetProperty("completed").GetBoolean());
        var summary = turn.GetProperty("summary").GetString()!;
        Assert.All(GoodResponses, response => Assert.Contains(response.TrimEnd('.'), summary, StringComparison.Ordinal));

        var session = await GetAsync(org, sessionId);
        Assert.Equal("summary", session.GetProperty("stage").GetString());
        Assert.True(session.GetProperty("completed").GetBoolean());
        Assert.Equal(summary, session.GetProperty("summary").GetString());
        Assert.Equal("lrn_full", session.GetProperty("learner_id").GetString());
        Assert.Equal(org.ApiKeyId, session.GetProperty("updated_by").GetString());
        var steps = session.GetProperty("steps").EnumerateArray().ToList();
        Assert.Equal(7, steps.Count);
        Assert.Equal(GoodResponses, steps.Take(6).Select(s => s.GetProperty("response").GetString()));
        Assert.Equal(["understand", .. expectedStages], steps.Select(s => s.GetProperty("stage").GetString()));
        Assert.Equal(started.GetProperty("prompt").GetString(), steps[0].GetProperty("prompt").GetString());
        Assert.All(steps, s => Assert.False(s.GetProperty("re_prompted").GetBoolean()));
        Assert.Equal(JsonValueKind.Null, steps[6].GetProperty("response").ValueKind);

        var after = await StepAsync(org, sessionId, "One more thought about legs");
        var error = await after.ErrorAsync(409, "COMX_IDEMPOTENCY_CONFLICT");
        Assert.Equal("session_completed", error.GetProperty("details").GetProperty("reason").GetString());
    }

    [Fact]
    public async Task EmptyShortStuckAndOffTopicResponses_RePromptWithoutAdvancing()
    {
        var org = await TestOrg.CreateAsync(_app);
        var sessionId = (await StartAsync(_app, org, "lrn_reprompt")).GetProperty("session_id").GetString()!;

        string[] responses = ["", "ok", "I don't know", "I like pizza and football"];
        string[] reasons = ["empty", "too_short", "stuck", "off_topic"];
        for (var i = 0; i < responses.Length; i++)
        {
            var turn = await (await StepAsync(org, sessionId, responses[i])).JsonAsync(200);
            Assert.Equal("understand", turn.GetProperty("stage").GetString());
            Assert.True(turn.GetProperty("re_prompted").GetBoolean());
            Assert.Equal(reasons[i], turn.GetProperty("re_prompt_reason").GetString());
            Assert.Equal(i + 1, turn.GetProperty("step_index").GetInt32());
            Assert.EndsWith(ThinkGuideEngine.StageQuestion(ThinkGuideStage.Understand, ReadingLevel.Standard), turn.GetProperty("prompt").GetString(), StringComparison.Ordinal);
        }

        var moved = await (await StepAsync(org, sessionId, GoodResponses[0])).JsonAsync(200);
        Assert.Equal("what_you_know", moved.GetProperty("stage").GetString());

        var session = await GetAsync(org, sessionId);
        Assert.Equal([GoodResponses[0]], session.GetProperty("responses").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal([true, true, true, true, false, false], session.GetProperty("steps").EnumerateArray().Select(s => s.GetProperty("re_prompted").GetBoolean()));
    }

    [Fact]
    public async Task StoredReadingLevel_ShapesTheWording()
    {
        var org = await TestOrg.CreateAsync(_app);
        var prompts = new Dictionary<ReadingLevel, (string First, string Second)>();
        foreach (var (level, wire) in new[] { (ReadingLevel.Standard, "standard"), (ReadingLevel.Simplified, "simplified"), (ReadingLevel.EasyRead, "easy_read") })
        {
            var learnerId = "lrn_" + wire;
            await (await _app.Client.SendAsync(org.AsKey(HttpMethod.Put, $"/api/org/v1/learner-accessibility/{learnerId}",
                TestApp.Json(new { reading_level = wire })))).JsonAsync(200);
            var started = await StartAsync(_app, org, learnerId);
            var second = await (await StepAsync(org, started.GetProperty("session_id").GetString()!, GoodResponses[0])).JsonAsync(200);
            prompts[level] = (started.GetProperty("prompt").GetString()!, second.GetProperty("prompt").GetString()!);
            Assert.Equal(ThinkGuideEngine.FirstPrompt(Question, level), prompts[level].First);
        }

        Assert.Equal(3, prompts.Values.Select(p => p.First).Distinct().Count());
        Assert.Equal(3, prompts.Values.Select(p => p.Second).Distinct().Count());
        Assert.All(prompts[ReadingLevel.EasyRead].Second.Split('\n'), line => Assert.True(line.Split(' ').Length <= 12, line));
        Assert.True(prompts[ReadingLevel.EasyRead].Second.Length < prompts[ReadingLevel.Standard].Second.Length);
    }

    [Fact]
    public async Task EscalationInAResponse_FlagsTheSessionRaisesTheAlertAndDoesNotAdvance()
    {
        var org = await TestOrg.CreateAsync(_app);
        const string escalationMessage = "Thank you for telling us. Please talk to Ms Patel, our safeguarding lead, today.";
        await (await _app.Client.SendAsync(org.AsAdmin(HttpMethod.Put, "/api/org/v1/safeguarding", TestApp.Json(new
        {
            blocked_terms = new[] { "frobnicate" },
            escalation_terms = new[] { "purple elephant" },
            use_default_lexicon = true,
            contact = new { name = "Ms Patel", email = "safeguarding@example.org" },
            block_message = "Please keep it kind.",
            escalation_message = escalationMessage,
            redact_pii = true,
        })))).JsonAsync(200);
        var sessionId = (await StartAsync(_app, org, "lrn_safe")).GetProperty("session_id").GetString()!;

        var blocked = await StepAsync(org, sessionId, "frobnicate the legs");
        var blockError = await blocked.ErrorAsync(403, "COMX_POLICY_BLOCK");
        Assert.Equal("Please keep it kind.", blockError.GetProperty("message").GetString());

        var turn = await (await StepAsync(org, sessionId, "I saw a purple elephant at home, email me at kid@example.org")).JsonAsync(200);
        Assert.Equal(escalationMessage, turn.GetProperty("prompt").GetString());
        Assert.Equal("understand", turn.GetProperty("stage").GetString());
        Assert.True(turn.GetProperty("safeguarding_flag").GetBoolean());
        Assert.Equal("safeguarding", turn.GetProperty("re_prompt_reason").GetString());
        Assert.Equal(1, turn.GetProperty("step_index").GetInt32());

        var outbox = await _app.Services.GetRequiredService<EventStore>().ListAsync(org.OrgId, 50);
        var alert = Assert.Single(outbox, e => e.Type == EventTypes.SafeguardingAlert);
        using var envelope = JsonDocument.Parse(alert.Json);
        Assert.StartsWith("evt_", envelope.RootElement.GetProperty("id").GetString(), StringComparison.Ordinal);
        Assert.Equal(org.OrgId, envelope.RootElement.GetProperty("org_id").GetString());
        var data = envelope.RootElement.GetProperty("data");
        Assert.Equal(sessionId, data.GetProperty("session_id").GetString());
        Assert.Equal("thinkguide", data.GetProperty("source").GetString());
        Assert.Equal("custom", data.GetProperty("category").GetString());
        Assert.DoesNotContain("kid@example.org", alert.Json, StringComparison.Ordinal);

        var session = await GetAsync(org, sessionId);
        Assert.True(session.GetProperty("safeguarding_flag").GetBoolean());
        var steps = session.GetProperty("steps").EnumerateArray().ToList();
        Assert.Equal(2, steps.Count);
        Assert.Contains("[email]", steps[0].GetProperty("response").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain("kid@example.org", steps[0].GetProperty("response").GetString(), StringComparison.Ordinal);

        var moved = await (await StepAsync(org, sessionId, GoodResponses[0])).JsonAsync(200);
        Assert.Equal("what_you_know", moved.GetProperty("stage").GetString());
        Assert.True(moved.GetProperty("safeguarding_flag").GetBoolean());
    }

    [Fact]
    public async Task RetriedStepWithTheSameIdempotencyKey_DoesNotAdvanceTwice()
    {
        var org = await TestOrg.CreateAsync(_app);
        var sessionId = (await StartAsync(_app, org, "lrn_retry")).GetProperty("session_id").GetString()!;
        var key = Guid.NewGuid().ToString();

        var first = await StepAsync(org, sessionId, GoodResponses[0], key);
        var firstBody = await first.Content.ReadAsStringAsync();
        var retry = await StepAsync(org, sessionId, GoodResponses[0], key);

        Assert.Equal(200, (int)first.StatusCode);
        Assert.Equal(200, (int)retry.StatusCode);
        Assert.Equal("true", retry.Header("Idempotent-Replayed"));
        Assert.Equal(firstBody, await retry.Content.ReadAsStringAsync());
        var session = await GetAsync(org, sessionId);
        Assert.Equal(1, session.GetProperty("step_index").GetInt32());
        Assert.Equal("what_you_know", session.GetProperty("stage").GetString());
        Assert.Equal(2, session.GetProperty("steps").GetArrayLength());
    }

    [Fact]
    public async Task ConcurrentStepsOnOneSession_AdvanceItOnce()
    {
        var org = await TestOrg.CreateAsync(_app);
        var sessionId = (await StartAsync(_app, org, "lrn_race")).GetProperty("session_id").GetString()!;

        var responses = await Task.WhenAll(Enumerable.Range(0, 5).Select(i => StepAsync(org, sessionId, $"{GoodResponses[0]} (try {i})", stepIndex: 0)));

        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.OK);
        foreach (var loser in responses.Where(r => r.StatusCode != HttpStatusCode.OK))
        {
            var error = await loser.ErrorAsync(409, "COMX_IDEMPOTENCY_CONFLICT");
            Assert.Equal("step_already_answered", error.GetProperty("details").GetProperty("reason").GetString());
            Assert.Equal(1, error.GetProperty("details").GetProperty("step_index").GetInt32());
        }

        var session = await GetAsync(org, sessionId);
        Assert.Equal(1, session.GetProperty("step_index").GetInt32());
        Assert.Single(session.GetProperty("responses").EnumerateArray());
        Assert.Equal(2, session.GetProperty("steps").GetArrayLength());
    }

    [Fact]
    public async Task TwoWritersWithTheSameETag_OnlyOneCommits()
    {
        var org = await TestOrg.CreateAsync(_app);
        var sessionId = (await StartAsync(_app, org, "lrn_etag")).GetProperty("session_id").GetString()!;
        var store = _app.Services.GetRequiredService<ThinkGuideStore>();
        var (session, etag) = (await store.GetAsync(org.OrgId, sessionId))!.Value;
        var answered = new ThinkGuideStep(0, ThinkGuideStage.Understand, session.Prompt, PromptSource.Engine, "An answer about legs", false, null, session.PromptedAt, DateTimeOffset.UtcNow);
        var next = session with { StepIndex = 1, Stage = ThinkGuideStage.WhatYouKnow, Responses = ["An answer about legs"] };

        var results = await Task.WhenAll(store.TryAnswerAsync(next, etag, answered), store.TryAnswerAsync(next with { Responses = ["Another"] }, etag, answered with { Response = "Another" }));

        Assert.Single(results, committed => committed);
        Assert.Single(await store.ListStepsAsync(org.OrgId, sessionId));
    }

    [Fact]
    public async Task AnotherOrgsSessionId_IsNotFound()
    {
        var owner = await TestOrg.CreateAsync(_app);
        var other = await TestOrg.CreateAsync(_app);
        var sessionId = (await StartAsync(_app, owner, "lrn_private")).GetProperty("session_id").GetString()!;

        await (await _app.Client.SendAsync(other.AsKey(HttpMethod.Get, $"{Sessions}/{sessionId}"))).ErrorAsync(404, "COMX_NOT_FOUND");
        await (await StepAsync(other, sessionId, GoodResponses[0])).ErrorAsync(404, "COMX_NOT_FOUND");
        await (await _app.Client.SendAsync(other.AsKey(HttpMethod.Get, $"{Sessions}/tgs_doesnotexist"))).ErrorAsync(404, "COMX_NOT_FOUND");
        Assert.Equal(0, (await GetAsync(owner, sessionId)).GetProperty("step_index").GetInt32());
    }

    [Fact]
    public async Task InvalidRequests_AreValidationErrors()
    {
        var org = await TestOrg.CreateAsync(_app);

        var noQuestion = await _app.Client.SendAsync(org.AsKey(HttpMethod.Post, Sessions, TestApp.Json(new { learner_id = "lrn_x", question = " " })));
        Assert.Equal("question", (await noQuestion.ErrorAsync(400, "COMX_VALIDATION_ERROR")).GetProperty("details").GetProperty("field").GetString());
        var badLearner = await _app.Client.SendAsync(org.AsKey(HttpMethod.Post, Sessions, TestApp.Json(new { learner_id = "a/b", question = "Why?" })));
        Assert.Equal("learner_id", (await badLearner.ErrorAsync(400, "COMX_VALIDATION_ERROR")).GetProperty("details").GetProperty("field").GetString());
        var unauthenticated = await _app.Client.SendAsync(TestApp.Request(HttpMethod.Post, Sessions, TestApp.Json(new { learner_id = "lrn_x", question = "Why?" })));
        await unauthenticated.ErrorAsync(401, "COMX_UNAUTHENTICATED");
    }
}
