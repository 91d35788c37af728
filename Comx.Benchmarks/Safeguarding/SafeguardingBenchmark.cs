using System.Globalization;
using Comx.Core.Embeddings;
using Comx.Core.Safeguarding;
using Microsoft.Extensions.Logging.Abstractions;
using Comx.Tests.Safeguarding;

namespace Comx.Benchmarks.Safeguarding;

/// <summary>
/// <c>dotnet run -c Release --project Comx.Benchmarks -- safeguarding [dev|heldout] [--misses]</c>: recall per
/// category, overall recall, the benign false-alarm rate and the time per message (p50/p99) of the default detector,
/// per layer configuration, on the dev and held-out splits of Fixtures/Safeguarding. <c>--misses</c> lists what the
/// patterns missed and the false alarms (use it on dev only: the held-out split is not for tuning).
/// </summary>
internal static class SafeguardingBenchmark
{
    public static async Task RunAsync(TextWriter output, IReadOnlyList<string> args)
    {
        var splits = args.Where(SafeguardingEvaluation.Splits.Contains).DefaultIfEmpty("dev").ToList();
        if (!args.Any(SafeguardingEvaluation.Splits.Contains))
        {
            splits = [.. SafeguardingEvaluation.Splits];
        }

        var showMisses = args.Contains("--misses");
        if (args.Count > 1 && args[0] == "--check")
        {
            foreach (var text in args.Skip(1))
            {
                output.WriteLine($"  {SafeguardingMatcher.Check(new SafeguardingPolicy(), text)} ← {text} ({DisclosureText.Canonical(text)})");
            }

            return;
        }

        if (args.Contains("--profile"))
        {
            var adversarial = args.Contains("--long")
                ? string.Concat(Enumerable.Repeat("My mum asked if the school trip on 12 May costs £12.50 and when it ends. ", 55))[..4000]
                : string.Concat(Enumerable.Repeat("i1l|!1 ", 600));
            _ = DisclosurePatterns.Profile(adversarial).ToList();
            foreach (var (rule, category, ms) in DisclosurePatterns.Profile(adversarial).OrderByDescending(r => r.Milliseconds).Take(12))
            {
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  rule {rule} {category}: {ms:F1} ms {DisclosurePatterns.RulePattern(rule)[..Math.Min(90, DisclosurePatterns.RulePattern(rule).Length)]}"));
            }

            foreach (var policyCase in new[] { new SafeguardingPolicy(), new SafeguardingPolicy { BlockedTerms = ["illicit", "lil"] }, new SafeguardingPolicy { UseDefaultLexicon = false, BlockedTerms = ["illicit", "lil"] } })
            {
                var watch = System.Diagnostics.Stopwatch.StartNew();
                SafeguardingMatcher.Check(policyCase, adversarial);
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  whole check (defaults {policyCase.UseDefaultLexicon}): {watch.Elapsed.TotalMilliseconds:F1} ms"));
                watch.Restart();
                _ = DisclosureText.Canonical(adversarial);
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  canonical: {watch.Elapsed.TotalMilliseconds:F1} ms"));
            }

            return;
        }

        var root = Path.Combine(AppContext.BaseDirectory, "Fixtures", "Safeguarding");
        var policy = new SafeguardingPolicy();
        // Compile the patterns and warm the regex engine before timing.
        SafeguardingMatcher.Check(policy, "warm up: my dad hits me and i want to kill myself");
        SafeguardingMatcher.Check(policy, "warm up: the bus leaves at nine for the trip");

        var exemplars = new SafeguardingExemplars(new LocalEmbeddingGenerator());
        var embedded = new SafeguardingDetector(exemplars, null, NullLogger<SafeguardingDetector>.Instance);
        await embedded.CheckAsync(policy, "warm up the model: i feel awful at home");
        foreach (var split in splits)
        {
            var messages = SafeguardingEvaluation.Load(split, root);
            var configurations = new List<(string Name, Func<string, Task<SafeguardingVerdict>> Detect)>
            {
                ("patterns", message => Task.FromResult(SafeguardingMatcher.Check(policy, message))),
                ("patterns + embeddings (when a risk cue remains)", message => embedded.CheckAsync(policy, message)),
                ("embeddings alone (every message; for comparison)", async message =>
                    (SafeguardingVerdict?)await exemplars.MatchAsync(message) ?? new SafeguardingVerdict.Blocked("")),
            };

            if (Environment.GetEnvironmentVariable("COMX_SAFEGUARDING_SWEEP") is { Length: > 0 })
            {
                // Threshold sweep of the embedding layer alone (tuning aid; run on dev only).
                foreach (var threshold in new[] { 0.40f, 0.45f, 0.50f, 0.55f })
                {
                    foreach (var margin in new[] { 0.0f, 0.03f, 0.06f })
                    {
                        var sweep = new SafeguardingExemplars(new LocalEmbeddingGenerator(), threshold, margin);
                        var r = await SafeguardingEvaluation.ScoreAsync(messages, async m => (SafeguardingVerdict?)await sweep.MatchAsync(m) ?? new SafeguardingVerdict.Blocked(""));
                        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  sweep t={threshold:F2} m={margin:F2} recall {100 * r.Recall:F1}% alarms {100 * r.FalseAlarmRate:F1}%"));
                    }
                }

                continue;
            }

            foreach (var (name, detect) in configurations)
            {
                // The first pass pays for the regex engine's first run of each pattern; the second is a warm process.
                var cold = await SafeguardingEvaluation.ScoreAsync(messages, detect);
                var warm = await SafeguardingEvaluation.ScoreAsync(messages, detect);
                Print(output, split, name, warm, showMisses);
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  first pass        p50 {cold.P50Milliseconds:F3} ms · p99 {cold.P99Milliseconds:F3} ms"));
            }
        }
    }

    private static void Print(TextWriter output, string split, string configuration, EvaluationReport report, bool showMisses)
    {
        var c = CultureInfo.InvariantCulture;
        output.WriteLine(string.Create(c, $"== safeguarding · split {split} · layers: {configuration}"));
        foreach (var (category, (caught, total)) in report.PerCategory)
        {
            output.WriteLine(string.Create(c, $"  {category,-18} {caught,3}/{total,-3} {100.0 * caught / total,6:F1}%"));
        }

        output.WriteLine(string.Create(c, $"  recall            {report.Caught,3}/{report.Disclosures,-3} {100 * report.Recall,6:F1}%"));
        output.WriteLine(string.Create(c, $"  benign alarms     {report.FalseAlarms,3}/{report.Benign,-3} {100 * report.FalseAlarmRate,6:F1}%"));
        output.WriteLine(string.Create(c, $"  time per message  p50 {report.P50Milliseconds:F3} ms · p99 {report.P99Milliseconds:F3} ms"));
        if (!showMisses)
        {
            return;
        }

        foreach (var missed in report.Missed)
        {
            output.WriteLine(string.Create(c, $"  MISSED {missed.Label}/{missed.Style}: {missed.Text}"));
        }

        foreach (var (message, verdict) in report.Alarms)
        {
            output.WriteLine(string.Create(c, $"  ALARM  {message.Style} → {verdict.Category} ({verdict.Phrase}): {message.Text}"));
        }
    }
}
