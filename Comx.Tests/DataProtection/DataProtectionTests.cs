using System.Text;
using System.Text.Json;
using Azure.Data.Tables;
using Azure.Storage.Blobs.Models;
using Comx.Core;
using Comx.Core.Chat;
using Comx.Core.DataProtection;
using Comx.Core.Events;
using Comx.Core.Identity;
using Comx.Core.Inbox;
using Comx.Core.Insights;
using Comx.Core.Jobs;
using Comx.Core.Storage;
using Comx.Tests.Infrastructure;
using Comx.Tests.Knowledge;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Comx.Tests.DataProtection;

/// <summary>Retention, learner export and erasure through the real routes, queue job and timer, against Azurite.</summary>
public sealed class DataProtectionTests
{
    private const string Handbook = "# Uniform\n\nThe school blazer is bottle green with the crest on the pocket.\n\n# Lunch\n\nHot lunches cost two pounds forty a day.";

    /// <summary>What one learner left behind: the ids and words that must not survive an erasure.</summary>
    private sealed record LearnerTrail(string LearnerId, string Marker, List<string> SessionIds, List<string> ThreadIds, List<string> AnswerIds, string GuideId)
    {
        public IEnumerable<string> Tokens => [LearnerId, Marker, .. SessionIds, .. ThreadIds, .. AnswerIds, GuideId];
    }

    private static async Task<(TestApp App, IngestDriver Driver)> StartAsync()
    {
        var app = await TestApp.StartAsync();
        var driver = new IngestDriver(app, await TestOrg.CreateAsync(app));
        await driver.IngestAsync(new { type = "text", title = "Handbook", content = Handbook });
        return (app, driver);
    }

    /// <summary>Creates, through the public and org routes, everything a learner can leave: prefs, ThinkGuide, two chats, an enquiry.</summary>
    private static async Task<LearnerTrail> LeaveTrailAsync(IngestDriver driver, int messagesPerSession = 2)
    {
        var app = driver.App;
        var learnerId = "lrn-" + Guid.NewGuid().ToString("N")[..10];
        var marker = "zebracorn" + Guid.NewGuid().ToString("N")[..8];
        using (var prefs = await app.Client.SendAsync(driver.Org.AsKey(HttpMethod.Put, $"/api/org/v1/learner-accessibility/{learnerId}",
                   TestApp.Json(new { reading_level = "simplified", font_scale = 1.5, dyslexia_font = true, high_contrast = false, reduce_motion = false, text_to_speech = false, language = "en-GB" }))))
        {
            await prefs.JsonAsync(200);
        }

        string guideId;
        using (var guide = await app.Client.SendAsync(driver.Org.AsKey(HttpMethod.Post, "/api/org/v1/thinkguide/sessions",
                   TestApp.Json(new { learner_id = learnerId, question = $"How do plants make food {marker}?" }))))
        {
            guideId = (await guide.JsonAsync(201)).GetProperty("session_id").GetString()!;
        }

        using (var step = await app.Client.SendAsync(driver.Org.AsKey(HttpMethod.Post, $"/api/org/v1/thinkguide/sessions/{guideId}/step",
                   TestApp.Json(new { response = $"I think they use sunlight and water {marker}" }))))
        {
            await step.JsonAsync(200);
        }

        var trail = new LearnerTrail(learnerId, marker, [], [], [], guideId);
        var widget = await app.Services.GetRequiredService<WidgetSettingsStore>().GetOrCreateAsync(driver.Org.OrgId);
        for (var s = 0; s < 2; s++)
        {
            var ip = TestSettings.NewIp();
            using var sessionResponse = await app.Client.SendAsync(TestApp.Request(HttpMethod.Post, "/api/public/v1/chat/sessions",
                TestApp.Json(new { widget_key = widget.WidgetKey, learner_id = learnerId }), ip));
            var session = await sessionResponse.JsonAsync(201);
            var sessionId = session.GetProperty("session_id").GetString()!;
            trail.SessionIds.Add(sessionId);
            trail.ThreadIds.Add((await app.Services.GetRequiredService<ChatSessionStore>().GetAsync(sessionId))!.ThreadId);
            for (var m = 0; m < messagesPerSession; m++)
            {
                var request = TestApp.Request(HttpMethod.Post, "/api/public/v1/chat/messages",
                    TestApp.Json(new { session_id = sessionId, message = $"What colour is the blazer {marker} {m}?" }), ip);
                request.Headers.Add("X-Session-Token", session.GetProperty("session_token").GetString());
                using var response = await app.Client.SendAsync(request);
                var answer = (await response.JsonAsync(200)).GetProperty("answer");
                trail.AnswerIds.Add(answer.GetProperty("answer_id").GetString()!);
            }

            if (s == 0)
            {
                using var enquiry = await app.Client.SendAsync(TestApp.Request(HttpMethod.Post, "/api/public/v1/enquiries", TestApp.Json(new
                {
                    widget_key = widget.WidgetKey, name = "Pat Parent", email = "pat@example.org", message = $"Please call me back {marker}", consent = true, session_id = sessionId,
                }), TestSettings.NewIp()));
                await enquiry.JsonAsync(201);
            }
        }

        return trail;
    }

    /// <summary>
    /// Every row of every table and every blob of every container in <see cref="StorageNames"/> that mentions one of the
    /// tokens. The record of the erasure itself (its row and its erasure.completed event) names the learner by design.
    /// </summary>
    private static async Task<List<string>> FindAnywhereAsync(ComxStorage storage, IEnumerable<string> tokens, string? erasureId = null)
    {
        var wanted = tokens.ToList();
        var found = new List<string>();
        foreach (var tableName in StorageNames.Tables.All)
        {
            await foreach (var row in storage.Table(tableName).QueryAsync<TableEntity>())
            {
                var text = new StringBuilder(row.PartitionKey).Append('\n').Append(row.RowKey).Append('\n');
                foreach (var (_, value) in row)
                {
                    text.Append(value switch { byte[] b => Encoding.UTF8.GetString(b), null => "", var v => v.ToString() }).Append('\n');
                }

                var all = text.ToString();
                var isErasureRecord = (tableName == StorageNames.Tables.DataProtection && row.RowKey.StartsWith("e|era_", StringComparison.Ordinal))
                    || all.Contains(EventTypes.ErasureCompleted, StringComparison.Ordinal)
                    || (erasureId is not null && all.Contains(erasureId, StringComparison.Ordinal));
                if (!isErasureRecord && wanted.FirstOrDefault(t => all.Contains(t, StringComparison.Ordinal)) is { } hit)
                {
                    found.Add($"{tableName}/{row.PartitionKey}/{row.RowKey} mentions {hit}");
                }
            }
        }

        foreach (var containerName in StorageNames.Containers.All)
        {
            var container = storage.Container(containerName);
            await foreach (var blob in container.GetBlobsAsync(BlobTraits.None, BlobStates.None, prefix: null, CancellationToken.None))
            {
                var content = (await container.GetBlobClient(blob.Name).DownloadContentAsync()).Value.Content.ToArray();
                var all = blob.Name + "\n" + Encoding.UTF8.GetString(content);
                if (wanted.FirstOrDefault(t => all.Contains(t, StringComparison.Ordinal)) is { } hit)
                {
                    found.Add($"{containerName}/{blob.Name} mentions {hit}");
                }
            }
        }

        return found;
    }

    private static Task RunErasureJobAsync(TestApp app, string orgId, string erasureId)
    {
        var body = BinaryData.FromString(Core.Http.ComxJson.Serialize(ErasureMessage.For(orgId, erasureId)));
        var message = Azure.Storage.Queues.Models.QueuesModelFactory.QueueMessage("msg-" + Guid.NewGuid().ToString("N"), "pop", body, 1);
        return app.Services.GetRequiredService<ComxJobs>().RunQueueJobAsync(JobNames.RunLearnerErasure, message, CancellationToken.None);
    }

    private static async Task<JsonElement> EraseAsync(IngestDriver driver, string learnerId, string? key = null)
    {
        var request = driver.Org.AsAdmin(HttpMethod.Delete, $"/api/org/v1/learners/{learnerId}");
        if (key is not null)
        {
            request.Headers.Add("Idempotency-Key", key);
        }

        using var response = await driver.App.Client.SendAsync(request);
        return await response.JsonAsync(202);
    }

    private static async Task<JsonElement> ErasureAsync(IngestDriver driver, string erasureId)
    {
        using var response = await driver.App.Client.SendAsync(driver.Org.AsAdmin(HttpMethod.Get, $"/api/org/v1/erasures/{erasureId}"));
        return await response.JsonAsync(200);
    }

    [Fact]
    public async Task Export_IsOneDocumentWithEverythingHeldAboutTheLearner_AndNothingOfAnother()
    {
        var (app, driver) = await StartAsync();
        await using var _ = app;
        var trail = await LeaveTrailAsync(driver);
        var other = await LeaveTrailAsync(driver);

        using var response = await app.Client.SendAsync(driver.Org.AsAdmin(HttpMethod.Get, $"/api/org/v1/learners/{trail.LearnerId}/export"));
        var export = await response.JsonAsync(200);
        var text = export.ToString();
        Assert.Equal(trail.LearnerId, export.GetProperty("learner_id").GetString());
        Assert.Equal("simplified", export.GetProperty("accessibility").GetProperty("reading_level").GetString());
        var guide = Assert.Single(export.GetProperty("thinkguide_sessions").EnumerateArray());
        Assert.Equal(trail.GuideId, guide.GetProperty("session").GetProperty("session_id").GetString());
        Assert.NotEmpty(guide.GetProperty("steps").EnumerateArray());
        var chats = export.GetProperty("chat_sessions").EnumerateArray().ToList();
        Assert.Equal(trail.SessionIds.Order(), chats.Select(c => c.GetProperty("session_id").GetString()!).Order());
        Assert.All(chats, c => Assert.Equal(4, c.GetProperty("messages").GetArrayLength()));
        Assert.Equal(trail.AnswerIds.Order(), chats.SelectMany(c => c.GetProperty("answers").EnumerateArray()).Select(a => a.GetProperty("answer_id").GetString()!).Order());
        Assert.Single(chats.SelectMany(c => c.GetProperty("enquiries").EnumerateArray()));
        Assert.Contains(trail.Marker, text, StringComparison.Ordinal);
        Assert.DoesNotContain(other.Marker, text, StringComparison.Ordinal);

        using var unknown = await app.Client.SendAsync(driver.Org.AsAdmin(HttpMethod.Get, "/api/org/v1/learners/nobody-here/export"));
        var empty = await unknown.JsonAsync(200);
        Assert.Equal(JsonValueKind.Null, empty.GetProperty("accessibility").ValueKind);
        Assert.Empty(empty.GetProperty("chat_sessions").EnumerateArray());
    }

    [Fact]
    public async Task Erasure_LeavesNoRowBlobOrIndexEntryOfTheLearner_KeepsOthers_AndRaisesOneEvent()
    {
        var (app, driver) = await StartAsync();
        await using var _ = app;
        var trail = await LeaveTrailAsync(driver);
        var other = await LeaveTrailAsync(driver);
        Assert.NotEmpty(await FindAnywhereAsync(app.Storage, trail.Tokens));

        var started = await EraseAsync(driver, trail.LearnerId, key: "erase-1");
        var erasureId = started.GetProperty("erasure_id").GetString()!;
        Assert.Equal("queued", started.GetProperty("status").GetString());
        var replay = await EraseAsync(driver, trail.LearnerId, key: "erase-1");
        Assert.Equal(erasureId, replay.GetProperty("erasure_id").GetString());

        await RunErasureJobAsync(app, driver.Org.OrgId, erasureId);

        var erasure = await ErasureAsync(driver, erasureId);
        Assert.Equal("completed", erasure.GetProperty("status").GetString());
        var removed = erasure.GetProperty("rows_removed");
        Assert.Equal(2, removed.GetProperty("chat_sessions").GetInt32());
        Assert.Equal(8, removed.GetProperty("messages").GetInt32());
        Assert.Equal(4, removed.GetProperty("answers").GetInt32());
        Assert.Equal(1, removed.GetProperty("enquiries").GetInt32());
        Assert.Equal(1, removed.GetProperty("accessibility_prefs").GetInt32());
        Assert.Empty(await FindAnywhereAsync(app.Storage, trail.Tokens, erasureId));
        foreach (var answerId in trail.AnswerIds)
        {
            using var gone = await app.Client.GetAsync($"/api/public/v1/answers/{answerId}");
            await gone.ErrorAsync(404, "COMX_NOT_FOUND");
        }

        // The other learner of the same org keeps everything.
        Assert.Contains(await FindAnywhereAsync(app.Storage, [other.Marker]), f => f.StartsWith(StorageNames.Tables.Conversations, StringComparison.Ordinal));
        using var otherExport = await app.Client.SendAsync(driver.Org.AsAdmin(HttpMethod.Get, $"/api/org/v1/learners/{other.LearnerId}/export"));
        Assert.Equal(2, (await otherExport.JsonAsync(200)).GetProperty("chat_sessions").GetArrayLength());

        var events = await app.Services.GetRequiredService<EventStore>().ListAsync(driver.Org.OrgId, 1000);
        var completed = Assert.Single(events, e => e.Type == EventTypes.ErasureCompleted);
        using (var body = JsonDocument.Parse(completed.Json))
        {
            var data = body.RootElement.GetProperty("data");
            Assert.Equal(erasureId, data.GetProperty("erasure_id").GetString());
            Assert.Equal(trail.LearnerId, data.GetProperty("learner_id").GetString());
            Assert.True(data.GetProperty("rows_removed").GetInt32() >= 8 + 4 + 2 + 1);
        }

        // A redelivered message changes nothing and raises nothing more.
        await RunErasureJobAsync(app, driver.Org.OrgId, erasureId);
        Assert.Equal(erasure.GetProperty("attempts").GetInt32(), (await ErasureAsync(driver, erasureId)).GetProperty("attempts").GetInt32());
        Assert.Single(await app.Services.GetRequiredService<EventStore>().ListAsync(driver.Org.OrgId, 1000), e => e.Type == EventTypes.ErasureCompleted);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    public async Task Erasure_CutShortMidWay_ShowsRunning_AndTheRedeliveredMessageFinishesIt(int stepsBeforeCrash)
    {
        var (app, driver) = await StartAsync();
        await using var _ = app;
        var trail = await LeaveTrailAsync(driver);
        var erasureId = (await EraseAsync(driver, trail.LearnerId)).GetProperty("erasure_id").GetString()!;

        // The worker dies after some steps: the queue message is not deleted and comes back.
        await app.Services.GetRequiredService<LearnerDataService>().RunStepsAsync(ErasureMessage.For(driver.Org.OrgId, erasureId), stepsBeforeCrash, CancellationToken.None);
        var halfway = await ErasureAsync(driver, erasureId);
        Assert.Equal("running", halfway.GetProperty("status").GetString());
        Assert.NotEmpty(await FindAnywhereAsync(app.Storage, trail.Tokens));

        await RunErasureJobAsync(app, driver.Org.OrgId, erasureId);

        var done = await ErasureAsync(driver, erasureId);
        Assert.Equal("completed", done.GetProperty("status").GetString());
        Assert.Equal(2, done.GetProperty("attempts").GetInt32());
        Assert.Equal(8, done.GetProperty("rows_removed").GetProperty("messages").GetInt32());
        Assert.Empty(await FindAnywhereAsync(app.Storage, trail.Tokens));
    }

    [Fact]
    public async Task DataProtectionRoutes_AreForAdminsOfTheOrgOnly()
    {
        var (app, driver) = await StartAsync();
        await using var _ = app;
        var erasureId = (await EraseAsync(driver, "lrn-roles")).GetProperty("erasure_id").GetString()!;
        foreach (var (method, path) in new[]
                 {
                     (HttpMethod.Get, "/api/org/v1/data-retention"), (HttpMethod.Put, "/api/org/v1/data-retention"), (HttpMethod.Get, "/api/org/v1/learners/lrn-roles/export"),
                     (HttpMethod.Delete, "/api/org/v1/learners/lrn-roles"), (HttpMethod.Get, $"/api/org/v1/erasures/{erasureId}"),
                 })
        {
            var body = method == HttpMethod.Put ? TestApp.Json(new { conversation_days = 30, enquiry_days = 30, safeguarding_days = 60 }) : null;
            using var member = await app.Client.SendAsync(driver.Org.AsMember(method, path, body));
            await member.ErrorAsync(403, "COMX_FORBIDDEN");
        }

        var other = await TestOrg.CreateAsync(app);
        using var foreign = await app.Client.SendAsync(other.AsAdmin(HttpMethod.Get, $"/api/org/v1/erasures/{erasureId}"));
        await foreign.ErrorAsync(404, "COMX_NOT_FOUND");
        using var badId = await app.Client.SendAsync(driver.Org.AsAdmin(HttpMethod.Delete, "/api/org/v1/learners/bad%7Cid"));
        await badId.ErrorAsync(404, "COMX_NOT_FOUND");
    }

    [Theory]
    [InlineData(6, 30, 30, "conversation_days")]
    [InlineData(3651, 30, 4000, "conversation_days")]
    [InlineData(30, 2, 30, "enquiry_days")]
    [InlineData(30, 30, 29, "safeguarding_days")]
    public async Task PutRetention_OutOfRange_Is400OnTheField(int conversationDays, int enquiryDays, int safeguardingDays, string field)
    {
        var (app, driver) = await StartAsync();
        await using var _ = app;
        using var response = await app.Client.SendAsync(driver.Org.AsAdmin(HttpMethod.Put, "/api/org/v1/data-retention",
            TestApp.Json(new { conversation_days = conversationDays, enquiry_days = enquiryDays, safeguarding_days = safeguardingDays })));
        Assert.Equal(field, (await response.ErrorAsync(400, "COMX_VALIDATION_ERROR")).GetProperty("details").GetProperty("field").GetString());
        using var get = await app.Client.SendAsync(driver.Org.AsAdmin(HttpMethod.Get, "/api/org/v1/data-retention"));
        Assert.False((await get.JsonAsync(200)).GetProperty("configured").GetBoolean());
    }

    [Fact]
    public async Task Retention_DeletesExactlyWhatIsOlder_FlaggedThreadsByTheirOwnPeriod_AndRecordsTheRun()
    {
        await using var app = await TestApp.StartAsync();
        var org = await TestOrg.CreateAsync(app);
        var now = new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);
        var clock = new FakeTimeProvider(now.AddDays(-500));
        var sp = app.Services;
        var conversations = new ConversationStore(app.Storage, sp.GetRequiredService<EventStore>(), sp.GetRequiredService<IdGenerator>(), clock);
        var sessions = new ChatSessionStore(app.Storage, sp.GetRequiredService<IdGenerator>(), clock);
        var answers = sp.GetRequiredService<AnswerStore>();

        async Task<(string Thread, string Session, string Answer)> ConversationAtAsync(DateTimeOffset at, bool flagged = false)
        {
            clock.SetUtcNow(at);
            var threadId = "thr_" + Guid.NewGuid().ToString("N");
            var (session, _) = await sessions.CreateAsync(org.OrgId, threadId, null, null, null, null);
            var answerId = "ans_" + Guid.NewGuid().ToString("N");
            await answers.AddAsync(new StoredAnswer(answerId, org.OrgId, "q", "a", [], 0.5, false, at));
            // The clock stands still, so both messages carry the same last-message time the thread ends with.
            await conversations.WriteAsync(org.OrgId, threadId, _ => new ThreadWrite([new NewMessage(MessageRole.Visitor, "q"), new NewMessage(MessageRole.Bot, "a", answerId)],
                flagged ? new ThreadChange(SafeguardingFlag: true) : null, []), createForSession: session.SessionId);
            var thread = await conversations.GetThreadAsync(org.OrgId, threadId);
            Assert.Equal(at, thread!.CreatedAt);
            return (threadId, session.SessionId, answerId);
        }

        var enquiries = sp.GetRequiredService<EnquiryStore>();
        async Task<string> EnquiryAtAsync(DateTimeOffset at)
        {
            var enquiryId = $"enq_{Guid.NewGuid():N}";
            await enquiries.AddAsync(org.OrgId, new EnquiryResponse(enquiryId, "N", "n@example.org", null, "A question", null, null, at), []);
            return enquiryId;
        }

        // In time order: the fake clock only moves forward.
        var flaggedAncient = await ConversationAtAsync(now.AddDays(-400), flagged: true);
        var flaggedOld = await ConversationAtAsync(now.AddDays(-100), flagged: true);
        var old = await ConversationAtAsync(now.AddDays(-31));
        // Two messages land 1 ms apart after the thread's creation: this thread's last message is exactly at the cutoff.
        var boundary = await ConversationAtAsync(now.AddDays(-30).AddMilliseconds(-2));
        Assert.Equal(now.AddDays(-30), (await conversations.GetThreadAsync(org.OrgId, boundary.Thread))!.LastMessageAt);
        var recent = await ConversationAtAsync(now.AddDays(-29));
        var enquiryPastCutoff = await EnquiryAtAsync(now.AddDays(-61));
        var enquiryAtCutoff = await EnquiryAtAsync(now.AddDays(-60));
        var enquiryRecent = await EnquiryAtAsync(now.AddDays(-10));

        // Two questions the assistant could not answer, kept for insights: one asked before the cutoff, one after.
        var events = sp.GetRequiredService<EventStore>();
        await events.AddAsync(org.OrgId,
        [
            EventRecord.Create("evt_" + Guid.NewGuid().ToString("N"), now.AddDays(-31),
                new ChatMessageAnsweredData(old.Thread, old.Session, old.Answer, "Is there a uniform shop?", "Sorry", 0.1, true, [])),
            EventRecord.Create("evt_" + Guid.NewGuid().ToString("N"), now.AddDays(-29),
                new ChatMessageAnsweredData(recent.Thread, recent.Session, recent.Answer, "Where do parents park?", "Sorry", 0.1, true, [])),
        ]);
        await sp.GetServices<IEventConsumer>().OfType<InsightsConsumer>().Single().ConsumeAsync(org.OrgId, await events.ListAsync(org.OrgId, 100), CancellationToken.None);

        var store = sp.GetRequiredService<DataProtectionStore>();
        clock.SetUtcNow(now);
        using (var put = await app.Client.SendAsync(org.AsAdmin(HttpMethod.Put, "/api/org/v1/data-retention",
                   TestApp.Json(new { conversation_days = 30, enquiry_days = 60, safeguarding_days = 365 }))))
        {
            var policy = await put.JsonAsync(200);
            Assert.True(policy.GetProperty("configured").GetBoolean());
            Assert.Equal(JsonValueKind.Null, policy.GetProperty("last_run").ValueKind);
        }

        var retention = new RetentionService(store, conversations, new ConversationEraser(conversations, answers, sessions), enquiries,
            app.Services.GetRequiredService<InsightsStore>(), clock, NullLogger<RetentionService>.Instance);
        var run = await retention.ApplyAsync((await store.GetPolicyAsync(org.OrgId))!);

        Assert.Equal(2, run.RowsRemoved["conversations"]);
        Assert.Equal(4, run.RowsRemoved["messages"]);
        Assert.Equal(2, run.RowsRemoved["answers"]);
        Assert.Equal(2, run.RowsRemoved["chat_sessions"]);
        Assert.Equal(1, run.RowsRemoved["enquiries"]);
        // The enquiry past the cutoff is gone with its pointer (not found by id); the one exactly at it and the newer one stay.
        Assert.Null(await enquiries.GetAsync(org.OrgId, enquiryPastCutoff));
        var pointer = await app.Storage.Table(StorageNames.Tables.Conversations).GetEntityIfExistsAsync<TableEntity>(org.OrgId, "q|" + enquiryPastCutoff);
        Assert.False(pointer.HasValue);
        Assert.NotNull(await enquiries.GetAsync(org.OrgId, enquiryAtCutoff));
        Assert.NotNull(await enquiries.GetAsync(org.OrgId, enquiryRecent));
        Assert.True(run.RowsRemoved["unanswered_questions"] >= 1, "the question asked before the cutoff is removed");
        Assert.True(await sp.GetRequiredService<InsightsStore>().DeleteOlderThanAsync(org.OrgId, now.AddDays(1)) >= 1, "the newer question is kept");
        foreach (var gone in new[] { old, flaggedAncient })
        {
            Assert.Null(await conversations.GetThreadAsync(org.OrgId, gone.Thread));
            Assert.Empty(await conversations.ListMessagesAsync(org.OrgId, gone.Thread, null, 10));
            Assert.Null(await answers.GetAsync(gone.Answer));
            Assert.Null(await sessions.GetAsync(gone.Session));
        }

        foreach (var kept in new[] { boundary, recent, flaggedOld })
        {
            Assert.NotNull(await conversations.GetThreadAsync(org.OrgId, kept.Thread));
            Assert.Equal(2, (await conversations.ListMessagesAsync(org.OrgId, kept.Thread, null, 10)).Count);
            Assert.NotNull(await answers.GetAsync(kept.Answer));
        }

        using (var get = await app.Client.SendAsync(org.AsAdmin(HttpMethod.Get, "/api/org/v1/data-retention")))
        {
            var lastRun = (await get.JsonAsync(200)).GetProperty("last_run");
            Assert.Equal(now, lastRun.GetProperty("at").GetDateTimeOffset());
            Assert.Equal(2, lastRun.GetProperty("rows_removed").GetProperty("conversations").GetInt32());
        }

        var listed = await conversations.ListThreadsAsync(org.OrgId, null, null, new PageRequest(100, null));
        Assert.Equal(3, listed.Data.Count);

        // Nothing more is older: a second run removes nothing.
        var again = await retention.ApplyAsync((await store.GetPolicyAsync(org.OrgId))!);
        Assert.All(again.RowsRemoved.Values, count => Assert.Equal(0, count));
    }

    [Fact]
    public async Task RetentionTimer_AppliesEveryStoredPolicy()
    {
        await using var app = await TestApp.StartAsync();
        var org = await TestOrg.CreateAsync(app);
        var sp = app.Services;
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow.AddDays(-40));
        var conversations = new ConversationStore(app.Storage, sp.GetRequiredService<EventStore>(), sp.GetRequiredService<IdGenerator>(), clock);
        var threadId = "thr_" + Guid.NewGuid().ToString("N");
        await conversations.WriteAsync(org.OrgId, threadId, _ => new ThreadWrite([new NewMessage(MessageRole.Visitor, "old question")], null, []), createForSession: "ses_none");
        using (var put = await app.Client.SendAsync(org.AsAdmin(HttpMethod.Put, "/api/org/v1/data-retention",
                   TestApp.Json(new { conversation_days = 30, enquiry_days = 30, safeguarding_days = 30 }))))
        {
            await put.JsonAsync(200);
        }

        await sp.GetRequiredService<ComxJobs>().RunTimerAsync(JobNames.ApplyRetention, CancellationToken.None);

        Assert.Null(await conversations.GetThreadAsync(org.OrgId, threadId));
        var policy = await sp.GetRequiredService<DataProtectionStore>().GetPolicyAsync(org.OrgId);
        Assert.Equal(1, policy!.LastRun!.RowsRemoved["conversations"]);
    }
}
