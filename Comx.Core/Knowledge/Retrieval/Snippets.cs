using System.Text;

namespace Comx.Core.Knowledge.Retrieval;

/// <summary>
/// Picks the passage of a chunk that best covers a query: the window of at most <c>maxLength</c> characters whose
/// distinct matching terms weigh most (IDF), moved back to the start of its sentence when that fits, widened to
/// the length budget, cut at word boundaries, with "…" where text was left out and whitespace collapsed.
/// </summary>
internal static class Snippets
{
    private const char Ellipsis = '…';

    public static string Build(string text, IReadOnlyDictionary<string, float> weights, int maxLength)
    {
        var collapsed = Content.Whitespace.Clean(text);
        if (collapsed.Length <= maxLength)
        {
            return collapsed;
        }

        var matches = new List<AnalyzedToken>();
        foreach (var token in TextAnalyzer.Tokenize(collapsed))
        {
            if (weights.ContainsKey(token.Term))
            {
                matches.Add(token);
            }
        }

        var budget = maxLength - 2;
        var (from, to) = matches.Count == 0 ? (0, 0) : BestWindow(matches, weights, budget);
        var slack = budget - (to - from);
        var start = SentenceStart(collapsed, from, slack) ?? WordStart(collapsed, Math.Max(0, from - (slack / 3)));
        var end = Math.Min(collapsed.Length, start + budget);
        if (end < collapsed.Length)
        {
            end = SentenceEnd(collapsed, Math.Max(to, start + (budget * 2 / 3)), end) ?? WordEnd(collapsed, start, end, to);
        }
        else if (end - start < budget)
        {
            // The text ran out on the right: spend the rest of the budget on what comes before.
            var earliest = end - budget;
            start = FirstSentenceStart(collapsed, earliest, start) ?? WordStart(collapsed, earliest);
        }

        var builder = new StringBuilder(maxLength);
        if (start > 0)
        {
            builder.Append(Ellipsis);
        }

        builder.Append(collapsed.AsSpan(start, end - start).Trim());
        if (end < collapsed.Length)
        {
            builder.Append(Ellipsis);
        }

        return builder.ToString();
    }

    /// <summary>The span [first match start, last match end) of the best window of matches that fits the budget.</summary>
    private static (int From, int To) BestWindow(List<AnalyzedToken> matches, IReadOnlyDictionary<string, float> weights, int budget)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        var score = 0f;
        var bestScore = -1f;
        var best = (0, 0);
        var left = 0;
        for (var right = 0; right < matches.Count; right++)
        {
            var term = matches[right].Term;
            var count = counts.GetValueOrDefault(term);
            // A term's first occurrence carries its full weight; repeats add a little, so coverage wins over repetition.
            score += count == 0 ? weights[term] : weights[term] * 0.1f;
            counts[term] = count + 1;
            while (left < right && matches[right].End - matches[left].Start > budget)
            {
                var leaving = matches[left].Term;
                var remaining = counts[leaving] - 1;
                counts[leaving] = remaining;
                score -= remaining == 0 ? weights[leaving] : weights[leaving] * 0.1f;
                left++;
            }

            if (score > bestScore + 1e-6f)
            {
                bestScore = score;
                best = (matches[left].Start, matches[right].End);
            }
        }

        return best;
    }

    /// <summary>The start of the sentence holding <paramref name="position"/>, if it lies within <paramref name="slack"/> before it.</summary>
    private static int? SentenceStart(string text, int position, int slack)
    {
        var limit = Math.Max(0, position - slack);
        for (var i = position - 1; i >= limit; i--)
        {
            if (i == 0)
            {
                return 0;
            }

            if (text[i] == ' ' && text[i - 1] is '.' or '!' or '?' or ':' or ';')
            {
                return i + 1;
            }
        }

        return limit == 0 ? 0 : null;
    }

    /// <summary>The first sentence start in [<paramref name="from"/>, <paramref name="limit"/>].</summary>
    private static int? FirstSentenceStart(string text, int from, int limit)
    {
        for (var i = Math.Max(from, 2); i <= limit; i++)
        {
            if (text[i - 1] == ' ' && text[i - 2] is '.' or '!' or '?')
            {
                return i;
            }
        }

        return null;
    }

    /// <summary>The end of the last sentence ending between <paramref name="from"/> and <paramref name="limit"/>.</summary>
    private static int? SentenceEnd(string text, int from, int limit)
    {
        for (var i = limit - 1; i >= from && i > 0; i--)
        {
            if (text[i - 1] is '.' or '!' or '?' && text[i] == ' ')
            {
                return i;
            }
        }

        return null;
    }

    private static int WordStart(string text, int position)
    {
        while (position > 0 && position < text.Length && text[position - 1] != ' ')
        {
            position++;
        }

        return Math.Min(position, text.Length);
    }

    /// <summary>Cuts before a partial word at <paramref name="end"/>, never before <paramref name="mustKeep"/> if avoidable.</summary>
    private static int WordEnd(string text, int start, int end, int mustKeep)
    {
        var cut = end;
        while (cut > start && text[cut] != ' ' && text[cut - 1] != ' ')
        {
            cut--;
        }

        return cut > start && cut >= Math.Min(mustKeep, end) - 1 ? cut : end;
    }
}
