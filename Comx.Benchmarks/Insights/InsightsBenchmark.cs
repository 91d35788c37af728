using System.Diagnostics;
using System.Globalization;
using Comx.Benchmarks.Chat;
using Comx.Core.Insights;
using Microsoft.Extensions.DependencyInjection;

namespace Comx.Benchmarks.Insights;

/// <summary>
/// The insights summary for an organisation with 100,000 messages in a 30-day range, and grouping 5,000 unanswered
/// questions. Counters are seeded through <see cref="InsightsStore.ApplyAsync"/> (the consumer's write path) one
/// transaction per day and shard with that row's share of the messages, so the rows are those 100,000 events would
/// leave (30 days x 8 shards of counters, 30 sources cited every day in every shard); seeding 100,000 single events would
/// take many minutes of Azurite and leave the same rows.
/// </summary>
internal static class InsightsBenchmark
{
    private const int Days = 30;
    private const int Messages = 100_000;
    private const int SourcesCited = 30;
    private const int Questions = 5_000;
    private const int Measured = 50;

    public static async Task RunAsync(TextWriter output)
    {
        await using var host = await ChatBenchmark.StartHostAsync(output);
        var store = host.App.Services.GetRequiredService<InsightsStore>();
        var orgId = "org_benchinsights" + Guid.NewGuid().ToString("N")[..8];
        var to = DateOnly.FromDateTime(DateTime.UtcNow);
        var perRow = Messages / (Days * InsightsStore.Shards);
        for (var d = 0; d < Days; d++)
        {
            var at = new DateTimeOffset(to.AddDays(-d).ToDateTime(new TimeOnly(12, 0)), TimeSpan.Zero);
            for (var shard = 0; shard < InsightsStore.Shards; shard++)
            {
                var eventId = SeedEventId(d, shard);
                await store.ApplyAsync(orgId, eventId, at, [], _ =>
                {
                    var write = new InsightsWrite();
                    var key = InsightsStore.CounterKey(at, eventId);
                    write.Add(key, InsightsConsumer.Counters.Messages, perRow);
                    write.Add(key, InsightsConsumer.Counters.Answered, perRow * 8 / 10);
                    write.Add(key, InsightsConsumer.Counters.Fallbacks, perRow - (perRow * 8 / 10));
                    for (var s = 0; s < SourcesCited; s++)
                    {
                        write.Cite(key, $"src_bench{s:00}", $"Source {s}", perRow / (s + 2));
                    }

                    return write;
                });
            }
        }

        var from = to.AddDays(1 - Days);
        var summary = await store.SummaryAsync(orgId, from, to, 10);
        var times = new List<double>();
        for (var i = 0; i < Measured + 5; i++)
        {
            var watch = Stopwatch.StartNew();
            summary = await store.SummaryAsync(orgId, from, to, 10);
            if (i >= 5)
            {
                times.Add(watch.Elapsed.TotalMilliseconds);
            }
        }

        times.Sort();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"insights summary: {summary.Messages:N0} messages in {Days} days ({Days * InsightsStore.Shards} counter rows, {SourcesCited} sources cited in each): p50 {times[times.Count / 2]:0.0} ms, p95 {times[(int)(times.Count * 0.95)]:0.0} ms over {Measured} runs"));

        var rows = SyntheticQuestions();
        var grouping = Stopwatch.StartNew();
        var groups = QuestionGrouping.Group(rows);
        grouping.Stop();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"insights grouping: {rows.Count:N0} questions (200 meanings, 384-d int8) into {groups.Count} groups in {grouping.Elapsed.TotalMilliseconds:0} ms"));
    }

    private static string SeedEventId(int day, int shard)
    {
        // An id landing in the wanted shard, so the seeded rows cover every shard of every day.
        for (var n = 0; ; n++)
        {
            var id = $"evt_seed{day:00}x{n}";
            if (InsightsStore.Shard(id) == shard)
            {
                return id;
            }
        }
    }

    /// <summary>5,000 question vectors around 200 random meanings (noise about as wide as real paraphrases), deterministic.</summary>
    private static List<UnansweredRow> SyntheticQuestions()
    {
        var random = new Random(20);
        var centres = Enumerable.Range(0, 200).Select(_ => Enumerable.Range(0, 384).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray()).ToList();
        var at = DateTimeOffset.UtcNow;
        return [.. Enumerable.Range(0, Questions).Select(i =>
        {
            var centre = centres[random.Next(centres.Count)];
            var vector = centre.Select(v => v + (float)((random.NextDouble() * 2 - 1) * 0.5)).ToArray();
            return new UnansweredRow($"question {i}", at.AddSeconds(-i), QuestionGrouping.Quantise(vector));
        })];
    }
}
