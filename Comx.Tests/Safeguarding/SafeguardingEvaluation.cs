using System.Diagnostics;
using Comx.Core.Safeguarding;

namespace Comx.Tests.Safeguarding;

/// <summary>One labelled message of the evaluation set: a category in snake_case, or <c>benign</c>.</summary>
internal sealed record LabelledMessage(string Label, string Style, string Text)
{
    public const string Benign = "benign";

    public bool IsDisclosure => Label != Benign;
}

/// <summary>How a detector did on a set of labelled messages.</summary>
internal sealed record EvaluationReport(
    IReadOnlyDictionary<string, (int Caught, int Total)> PerCategory,
    int Caught,
    int Disclosures,
    int FalseAlarms,
    int Benign,
    double P50Milliseconds,
    double P99Milliseconds,
    IReadOnlyList<LabelledMessage> Missed,
    IReadOnlyList<(LabelledMessage Message, SafeguardingVerdict.Escalated Verdict)> Alarms)
{
    public double Recall => Disclosures == 0 ? 0 : (double)Caught / Disclosures;

    public double FalseAlarmRate => Benign == 0 ? 0 : (double)FalseAlarms / Benign;

    public double CategoryRecall(string category) => PerCategory[category] is var (caught, total) && total > 0 ? (double)caught / total : 0;
}

/// <summary>
/// The safeguarding evaluation set (Fixtures/Safeguarding): <c>dev</c> (tuned on) and <c>heldout</c> (written first,
/// never tuned on). Read by the tests that assert the targets and by <c>Comx.Benchmarks -- safeguarding</c>.
/// </summary>
internal static class SafeguardingEvaluation
{
    public static readonly string[] Splits = ["dev", "heldout"];

    public static IReadOnlyList<LabelledMessage> Load(string split, string? root = null)
    {
        root ??= Path.Combine(AppContext.BaseDirectory, "Fixtures", "Safeguarding");
        return [.. File.ReadLines(Path.Combine(root, split + ".txt"))
            .Where(line => line.Length > 0 && !line.StartsWith('#'))
            .Select(line => line.Split('|', 3))
            .Select(parts => new LabelledMessage(parts[0], parts[1], parts[2]))];
    }

    /// <summary>Runs <paramref name="detect"/> over every message once, timing each call.</summary>
    public static async Task<EvaluationReport> ScoreAsync(IReadOnlyList<LabelledMessage> messages, Func<string, Task<SafeguardingVerdict>> detect)
    {
        var perCategory = new SortedDictionary<string, (int Caught, int Total)>(StringComparer.Ordinal);
        var missed = new List<LabelledMessage>();
        var alarms = new List<(LabelledMessage, SafeguardingVerdict.Escalated)>();
        var times = new List<double>(messages.Count);
        foreach (var message in messages)
        {
            var started = Stopwatch.GetTimestamp();
            var verdict = await detect(message.Text);
            times.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            var escalated = verdict as SafeguardingVerdict.Escalated;
            if (message.IsDisclosure)
            {
                var (caught, total) = perCategory.GetValueOrDefault(message.Label);
                perCategory[message.Label] = (caught + (escalated is null ? 0 : 1), total + 1);
                if (escalated is null)
                {
                    missed.Add(message);
                }
            }
            else if (escalated is not null)
            {
                alarms.Add((message, escalated));
            }
        }

        times.Sort();
        double Percentile(double p) => times.Count == 0 ? 0 : times[Math.Min(times.Count - 1, (int)Math.Ceiling(p * times.Count) - 1)];
        var disclosures = messages.Count(m => m.IsDisclosure);
        return new EvaluationReport(perCategory, disclosures - missed.Count, disclosures, alarms.Count, messages.Count - disclosures,
            Percentile(0.50), Percentile(0.99), missed, alarms);
    }
}
