namespace Comx.Core.Insights;

/// <summary>A group of questions with one meaning, biggest first in the unanswered list.</summary>
public sealed record QuestionGroup(string Question, int Count, IReadOnlyList<string> Examples, DateTimeOffset LastAskedAt);

/// <summary>
/// Groups questions by meaning: greedy leader clustering, each question joining the group whose centroid is nearest by
/// cosine if that is at least <see cref="Threshold"/>, else starting a group. The threshold was chosen on the labelled
/// paraphrase groups in Comx.Tests/Insights/paraphrase-groups.json (see InsightsGroupingTests).
/// </summary>
public static class QuestionGrouping
{
    public const double Threshold = 0.62;
    public const int MaxExamples = 3;

    /// <summary>Unit-length embedding to 8-bit integers (384 bytes for MiniLM): small rows, cosine kept to about 1%.</summary>
    public static sbyte[] Quantise(ReadOnlySpan<float> vector)
    {
        var norm = 0.0;
        foreach (var v in vector)
        {
            norm += v * v;
        }

        var scale = norm > 0 ? 127 / Math.Sqrt(norm) : 0;
        var result = new sbyte[vector.Length];
        for (var i = 0; i < vector.Length; i++)
        {
            result[i] = (sbyte)Math.Clamp(Math.Round(vector[i] * scale), -127, 127);
        }

        return result;
    }

    public static IReadOnlyList<QuestionGroup> Group(IReadOnlyList<UnansweredRow> rows, double threshold = Threshold)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var groups = new List<Builder>();
        foreach (var row in rows)
        {
            var vector = Unit(row.Vector);
            Builder? best = null;
            var bestScore = threshold;
            foreach (var group in groups)
            {
                var score = group.Cosine(vector);
                if (score >= bestScore)
                {
                    best = group;
                    bestScore = score;
                }
            }

            if (best is null)
            {
                groups.Add(best = new Builder(vector.Length));
            }

            best.Add(row, vector);
        }

        return [.. groups.Select(g => g.Build()).OrderByDescending(g => g.Count).ThenByDescending(g => g.LastAskedAt)];
    }

    private static float[] Unit(sbyte[] quantised)
    {
        var vector = new float[quantised.Length];
        var norm = 0.0;
        for (var i = 0; i < quantised.Length; i++)
        {
            vector[i] = quantised[i];
            norm += quantised[i] * quantised[i];
        }

        var scale = norm > 0 ? (float)(1 / Math.Sqrt(norm)) : 0;
        for (var i = 0; i < vector.Length; i++)
        {
            vector[i] *= scale;
        }

        return vector;
    }

    private sealed class Builder(int dimensions)
    {
        private readonly float[] _sum = new float[dimensions];
        private readonly List<UnansweredRow> _rows = [];
        private double _norm;

        public double Cosine(float[] unit)
        {
            if (_norm == 0 || unit.Length != _sum.Length)
            {
                return -1;
            }

            var dot = 0.0;
            for (var i = 0; i < unit.Length; i++)
            {
                dot += _sum[i] * unit[i];
            }

            return dot / _norm;
        }

        public void Add(UnansweredRow row, float[] unit)
        {
            _rows.Add(row);
            var norm = 0.0;
            for (var i = 0; i < _sum.Length && i < unit.Length; i++)
            {
                _sum[i] += unit[i];
                norm += _sum[i] * _sum[i];
            }

            _norm = Math.Sqrt(norm);
        }

        public QuestionGroup Build()
        {
            // The group is named by its most frequent wording (the first asked on a tie); examples are other wordings.
            var wordings = _rows.GroupBy(r => r.Question.Trim(), StringComparer.OrdinalIgnoreCase).OrderByDescending(g => g.Count()).Select(g => g.First().Question.Trim()).ToList();
            return new QuestionGroup(wordings[0], _rows.Count, [.. wordings.Take(MaxExamples)], _rows.Max(r => r.AskedAt));
        }
    }
}
