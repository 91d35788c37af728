using System.Globalization;
using System.Text.Json;
using Comx.Core.Embeddings;
using Comx.Core.Events;
using Comx.Core.Insights;
using Comx.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Comx.Tests.Insights;

/// <summary>
/// Insights end to end: events raised into the real outbox (Azurite), consumed by the real insights consumer (also twice
/// and concurrently, as a redelivery does), read back over HTTP with real JWTs.
/// </summary>
public sealed class InsightsTests : IAsyncLifetime
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private TestApp _app = null!;

    public async ValueTask InitializeAsync() => _app = await TestApp.StartAsync();

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    private static string Today => DateTimeOffset.UtcNow.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string NewId(string prefix) => prefix + "_" + Guid.NewGuid().ToString("N");

    private static EventRecord E<T>(T data) where T : IEventData => EventRecord.Create(NewId("evt"), DateTimeOffset.UtcNow, data);

    private static EventRecord Answered(string question, bool fallback, string? answerId = null, params string[] sources) => E(new ChatMessageAnsweredData("thr_t", "ses_t", answerId ?? NewId("ans"), question, fallback ? "Sorry" : "An answer", fallback ? 0.1 : 0.8, fallback,
            [.. sources.Select(s => new EventCitation(s, "Title of " + s, null, "snippet"))]));

    /// <summary>Raises the events into the organisation's outbox and returns them as the pipeline hands them to consumers.</summary>
    private async Task<IReadOnlyList<StoredEvent>> RaiseAsync(string orgId, params EventRecord[] records)
    {
        var store = _app.Services.GetRequiredService<EventStore>();
        foreach (var chunk in records.Chunk(50))
        {
            await store.AddAsync(orgId, chunk, Token);
        }

        var stored = await store.ListAsync(orgId, 1000, Token);
        var ids = records.Select(r => r.EventId).ToHashSet(StringComparer.Ordinal);
        return [.. stored.Where(s => ids.Contains(s.EventId))];
    }

    private InsightsConsumer Consumer => _app.Services.GetServices<IEventConsumer>().OfType<InsightsConsumer>().Single();

    private async Task<JsonElement> SummaryAsync(TestOrg org, string query = "") =>
        await (await _app.Client.SendAsync(org.AsMember(HttpMethod.Get, $"/api/org/v1/insights/summary?from={Today}&to={Today}{query}"), Token)).JsonAsync(200);

    private async Task<JsonElement> UnansweredAsync(TestOrg org, string query = "") =>
        await (await _app.Client.SendAsync(org.AsMember(HttpMethod.Get, $"/api/org/v1/insights/unanswered?from={Today}&to={Today}{query}"), Token)).JsonAsync(200);

    [Fact]
    public async Task Counters_are_right_under_concurrent_events_and_each_redelivered_event_counts_once()
    {
        var org = await TestOrg.CreateAsync(_app);
        var data = new List<EventRecord>();
        for (var i = 0; i < 30; i++)
        {
            data.Add(Answered($"Answered question {i}", false, null, i % 3 == 0 ? ["src_a", "src_b"] : ["src_a"]));
        }

        for (var i = 0; i < 6; i++)
        {
            data.Add(Answered($"Fallback question {i}", true));
        }

        data.Add(E(new HandoffRequestedData(NewId("hnd"), "thr_t", "ses_t", null, null, HandoffRequesters.Visitor, null)));
        data.Add(E(new HandoffRequestedData(NewId("hnd"), "thr_t", "ses_t", null, null, HandoffRequesters.Staff, "user_1")));
        data.Add(E(new SafeguardingAlertData("thr_t", "ses_t", "msg_t", SafeguardingSources.Chat, null, null, "self_harm", "patterns", null)));
        var events = await RaiseAsync(org.OrgId, [.. data]);
        Assert.Equal(data.Count, events.Count);

        // Every event delivered twice, all at once, each on its own (as concurrent dispatches would).
        await Task.WhenAll(events.Concat(events).Select(e => Task.Run(() => Consumer.ConsumeAsync(org.OrgId, [e], Token), Token)));
        // And a whole batch again, as a dispatch that stopped before removing it.
        await Consumer.ConsumeAsync(org.OrgId, events, Token);

        var summary = await SummaryAsync(org);
        Assert.Equal(37, summary.GetProperty("messages").GetInt64()); // 36 answered events + 1 escalated chat message
        Assert.Equal(30, summary.GetProperty("answered").GetInt64());
        Assert.Equal(6, summary.GetProperty("fallbacks").GetInt64());
        Assert.Equal(2, summary.GetProperty("handoffs").GetInt64());
        Assert.Equal(1, summary.GetProperty("escalations").GetInt64());
        var top = summary.GetProperty("top_sources").EnumerateArray().ToList();
        Assert.Equal(["src_a", "src_b"], top.Select(s => s.GetProperty("source_id").GetString()!));
        Assert.Equal([30L, 10L], top.Select(s => s.GetProperty("citations").GetInt64()));
        Assert.Equal("Title of src_a", top[0].GetProperty("title").GetString());

        // The escalated message is never an unanswered question; the six fallbacks are.
        var groups = (await UnansweredAsync(org, "&limit=100")).GetProperty("data").EnumerateArray().ToList();
        Assert.Equal(6, groups.Sum(g => g.GetProperty("count").GetInt32()));
        Assert.DoesNotContain(groups, g => g.GetProperty("examples").EnumerateArray().Any(e => e.GetString()!.Contains("private", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_changed_vote_moves_the_count_and_a_repeated_vote_adds_nothing()
    {
        var org = await TestOrg.CreateAsync(_app);
        var answerId = NewId("ans");
        var first = await RaiseAsync(org.OrgId, E(new FeedbackReceivedData(answerId, "ses_t", "thr_t", true, null)));
        await Consumer.ConsumeAsync(org.OrgId, first, Token);
        var again = await RaiseAsync(org.OrgId, E(new FeedbackReceivedData(answerId, "ses_t", "thr_t", true, null)));
        await Consumer.ConsumeAsync(org.OrgId, again, Token);
        var summary = await SummaryAsync(org);
        Assert.Equal((1, 0), (summary.GetProperty("helpful").GetInt64(), summary.GetProperty("unhelpful").GetInt64()));

        var changed = await RaiseAsync(org.OrgId, E(new FeedbackReceivedData(answerId, "ses_t", "thr_t", false, "not what I asked")));
        await Consumer.ConsumeAsync(org.OrgId, changed, Token);
        await Consumer.ConsumeAsync(org.OrgId, changed, Token);
        summary = await SummaryAsync(org);
        Assert.Equal((0, 1), (summary.GetProperty("helpful").GetInt64(), summary.GetProperty("unhelpful").GetInt64()));

        var other = await RaiseAsync(org.OrgId, E(new FeedbackReceivedData(NewId("ans"), "ses_u", "thr_u", true, null)));
        await Consumer.ConsumeAsync(org.OrgId, other, Token);
        summary = await SummaryAsync(org);
        Assert.Equal((1, 1), (summary.GetProperty("helpful").GetInt64(), summary.GetProperty("unhelpful").GetInt64()));
    }

    [Fact]
    public async Task Unanswered_questions_are_grouped_by_meaning_biggest_first_paged_and_kept_to_their_org()
    {
        var org = await TestOrg.CreateAsync(_app);
        var other = await TestOrg.CreateAsync(_app);
        var events = await RaiseAsync(org.OrgId,
            Answered("Is there parking for visitors?", true), Answered("Is there visitor parking?", true), Answered("Where can visitors park?", true),
            Answered("What is the wifi password?", true), Answered("What's the password for the wifi?", true),
            Answered("When are the exam results released?", true),
            Answered("When does the autumn term start?", false));
        // Delivered through the real pipeline: the dispatcher hands the outbox to every consumer.
        await _app.Services.GetRequiredService<EventDispatcher>().DispatchAsync(org.OrgId, Token);
        Assert.Equal(7, events.Count);

        var page = await UnansweredAsync(org, "&limit=2");
        var groups = page.GetProperty("data").EnumerateArray().ToList();
        Assert.Equal([3, 2], groups.Select(g => g.GetProperty("count").GetInt32()));
        Assert.Contains("park", groups[0].GetProperty("question").GetString()!, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(3, groups[0].GetProperty("examples").GetArrayLength());
        Assert.True(groups[0].GetProperty("last_asked_at").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddMinutes(-10));
        var cursor = page.GetProperty("next_cursor").GetString();
        Assert.NotNull(cursor);
        var rest = (await UnansweredAsync(org, "&limit=2&cursor=" + cursor)).GetProperty("data").EnumerateArray().ToList();
        Assert.Equal([1], rest.Select(g => g.GetProperty("count").GetInt32()));
        Assert.Contains("exam", rest[0].GetProperty("question").GetString()!, StringComparison.OrdinalIgnoreCase);

        // Another organisation sees none of it.
        Assert.Equal(0, (await UnansweredAsync(other)).GetProperty("data").GetArrayLength());
        var summary = await SummaryAsync(other);
        Assert.Equal(0, summary.GetProperty("messages").GetInt64());
        Assert.Equal(0, summary.GetProperty("top_sources").GetArrayLength());

        // Retention removes the questions asked before the cutoff.
        var store = _app.Services.GetRequiredService<InsightsStore>();
        await store.DeleteOlderThanAsync(org.OrgId, DateTimeOffset.UtcNow.AddDays(-1), Token);
        Assert.Equal(3, (await UnansweredAsync(org)).GetProperty("data").GetArrayLength());
        Assert.True(await store.DeleteOlderThanAsync(org.OrgId, DateTimeOffset.UtcNow.AddDays(1), Token) >= 6);
        Assert.Equal(0, (await UnansweredAsync(org)).GetProperty("data").GetArrayLength());
        Assert.Equal(7, (await SummaryAsync(org)).GetProperty("messages").GetInt64()); // counters hold no personal data and stay
    }

    [Theory]
    [InlineData("from=2026-13-01")]
    [InlineData("from=yesterday")]
    [InlineData("from=2026-05-02&to=2026-05-01")]
    [InlineData("from=2024-01-01&to=2026-01-01")]
    public async Task Bad_ranges_are_refused(string query)
    {
        var org = await TestOrg.CreateAsync(_app);
        foreach (var route in new[] { "summary", "unanswered" })
        {
            await (await _app.Client.SendAsync(org.AsMember(HttpMethod.Get, $"/api/org/v1/insights/{route}?{query}"), Token)).ErrorAsync(400, "COMX_VALIDATION_ERROR");
        }
    }

    [Fact]
    public async Task Insights_need_an_org_member_and_default_to_the_last_30_days()
    {
        var org = await TestOrg.CreateAsync(_app);
        var anonymous = await _app.Client.SendAsync(TestApp.Request(HttpMethod.Get, "/api/org/v1/insights/summary"), Token);
        Assert.Equal(401, (int)anonymous.StatusCode);
        var admin = await (await _app.Client.SendAsync(org.AsAdmin(HttpMethod.Get, "/api/org/v1/insights/summary"), Token)).JsonAsync(200);
        Assert.Equal(DateOnly.FromDateTime(DateTime.UtcNow).AddDays(-29).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), admin.GetProperty("from").GetString());
        await (await _app.Client.SendAsync(org.AsMember(HttpMethod.Get, "/api/org/v1/insights/unanswered"), Token)).JsonAsync(200);
    }
}

/// <summary>
/// Grouping measured on the labelled paraphrase groups (Fixtures/insights/paraphrase-groups.json) with the local MiniLM
/// model: pairs of questions from the same group should share a group (recall), pairs from different groups should not (precision).
/// </summary>
public sealed class InsightsGroupingTests(ITestOutputHelper output)
{
    private static readonly Lazy<Task<(List<UnansweredRow> Rows, List<int> Labels)>> Labelled = new(LoadAsync);

    private static async Task<(List<UnansweredRow> Rows, List<int> Labels)> LoadAsync()
    {
        using var document = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "Fixtures", "insights", "paraphrase-groups.json")));
        var questions = new List<(string Text, int Label)>();
        var label = 0;
        foreach (var group in document.RootElement.GetProperty("groups").EnumerateArray())
        {
            questions.AddRange(group.GetProperty("questions").EnumerateArray().Select(q => (q.GetString()!, label)));
            label++;
        }

        using var generator = new LocalEmbeddingGenerator();
        var vectors = await generator.GenerateAsync(questions.Select(q => q.Text));
        var at = DateTimeOffset.UtcNow;
        return ([.. questions.Select((q, i) => new UnansweredRow(q.Text, at.AddSeconds(i), QuestionGrouping.Quantise(vectors[i].Vector.Span)))],
            [.. questions.Select(q => q.Label)]);
    }

    private static (double Precision, double Recall, int Groups) Score(List<UnansweredRow> rows, List<int> labels, double threshold)
    {
        var assigned = QuestionGrouping.Assign(rows, threshold);
        int truePairs = 0, predictedPairs = 0, bothPairs = 0;
        for (var i = 0; i < rows.Count; i++)
        {
            for (var j = i + 1; j < rows.Count; j++)
            {
                var same = labels[i] == labels[j];
                var together = assigned[i] == assigned[j];
                truePairs += same ? 1 : 0;
                predictedPairs += together ? 1 : 0;
                bothPairs += same && together ? 1 : 0;
            }
        }

        return (predictedPairs == 0 ? 1 : (double)bothPairs / predictedPairs, (double)bothPairs / truePairs, assigned.Distinct().Count());
    }

    [Fact]
    public async Task Grouping_puts_paraphrases_together_and_keeps_unrelated_questions_apart()
    {
        var (rows, labels) = await Labelled.Value;
        foreach (var threshold in new[] { 0.45, 0.48, 0.5, 0.52, 0.54, 0.55, 0.6, 0.65 })
        {
            var (p, r, n) = Score(rows, labels, threshold);
            output.WriteLine($"threshold {threshold:0.00}: pairwise precision {p:0.000}, recall {r:0.000}, {n} groups (12 labelled)");
        }

        var (precision, recall, count) = Score(rows, labels, QuestionGrouping.Threshold);
        Assert.True(precision >= 0.85, $"precision {precision:0.000}");
        Assert.True(recall >= 0.5, $"recall {recall:0.000}");
        Assert.InRange(count, 12, 30);
    }
}
