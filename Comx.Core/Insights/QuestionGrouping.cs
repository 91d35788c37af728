namespace Comx.Core.Insights;

/// <summary>A group of questions with one meaning, biggest first in the unanswered list.</summary>
public sealed record QuestionGroup(string Question, int Count, IReadOnlyList<string> Examples, DateTimeOffset LastAskedAt);

/// <summary>
/// Groups questions by meaning: greedy leader clustering, each question joining the group whose centroid is nearest by
/// cosine if that is at least <see cref="Threshold"/>, else starting a group. The threshold was chosen on the labelled
/// paraphrase groups in Comx.Tests/Fixtures/insights/paraphrase-groups.json (see InsightsGroupingTests).
/// </summary>
public static class QuestionGrouping
{
    public const double Threshold = 0.52;
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

    public static IReadOnlyList<QuestionGroup> Group(IReadOnlyList<UnansweredRow> rows, double threshold = Threshold) =>
        [.. Cluster(rows, threshold, null).Select(g => g.Build()).OrderByDescending(g => g.Count).ThenByDescending(g => g.LastAskedAt)];

    /// <summary>The group index of each row (in order of the groups' creation), for measuring the grouping.</summary>
    public static int[] Assign(IReadOnlyList<UnansweredRow> rows, double threshold = Threshold)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var membership = new int[rows.Count];
        Cluster(rows, threshold, membership);
        return membership;
    }

    private static List<Builder> Cluster(IReadOnlyList<UnansweredRow> rows, double threshold, int[]? membership)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var groups = new List<Builder>();
        for (var r = 0; r < rows.Count; r++)
        {
            var vector = Unit(rows[r].Vector);
            var best = -1;
            var bestScore = threshold;
            for (var g = 0; g < groups.Count; g++)
            {
                var score = groups[g].Cosine(vector);
                if (score >= bestScore)
                {
                    best = g;
                    bestScore = score;
                }
            }

            if (best < 0)
            {
                best = groups.Count;
                groups.Add(new Builder(vector.Length));
            }

            groups[best].Add(rows[r], vector);
            if (membership is not null)
            {
                membership[r] = best;
            }
        }

        return groups;
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
