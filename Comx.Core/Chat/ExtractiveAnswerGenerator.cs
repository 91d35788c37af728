using System.Text.RegularExpressions;
using Comx.Core.Accessibility;
using Comx.Core.Knowledge.Retrieval;
using Microsoft.Extensions.AI;

namespace Comx.Core.Chat;

/// <summary>
/// The default generator, needing no chat model: answers with the parts of the best passage that answer the question
/// and cites it. The passage is split into units (sentences, list items, table rows); each is scored against the
/// question densely (cosine of its embedding to the question's) and lexically (the share of the question's terms it
/// holds, weighted by how rare they are in the passages); the best unit is kept with the few that score close to it,
/// in reading order. Lists stay <c>- </c> lists, a table row becomes <c>Header: value</c> pairs (api.md), the page
/// title is never glued on, and a neighbour that merely shares a word with the question scores too low to join.
/// </summary>
/// <remarks>
/// Whether to answer at all is <see cref="AnswerConfidence"/>'s: a combination fitted on evaluation data of the best
/// passage's and its closest unit's cosine, the question terms the passage covers and BM25's agreement
/// (<see cref="AnswerSignals"/>); without vectors (an index from before embeddings) the lexical coverage of the best
/// passage decides, as it always did.
/// </remarks>
public sealed partial class ExtractiveAnswerGenerator(IEmbeddingGenerator<string, Embedding<float>>? embeddings = null) : IAnswerGenerator
{
    private const int MaxSentences = 3;
    private const int MaxListItems = 10;
    /// <summary>
    /// Units scored per answer. Each is embedded on the request path (one batch, ~2–5 ms a unit), so this bounds the
    /// cost of a question; a chunk is at most 1,200 characters, which rarely holds more.
    /// </summary>
    private const int MaxUnits = 16;

    /// <summary>A unit joins the best one when it scores at least this share of the best unit's score.</summary>
    private const double KeepShare = 0.8;

    /// <summary>Weight of dense similarity in a unit's score; lexical coverage gets the rest.</summary>
    private const double UnitDenseWeight = 0.6;

    public async Task<AnswerOutcome> GenerateAsync(AnswerRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return new AnswerOutcome.Answered(await GenerateAsync(request, embeddings, cancellationToken));
    }

    /// <summary>The extractive answer; <paramref name="embedder"/> null scores units lexically only.</summary>
    public static async Task<GeneratedAnswer> GenerateAsync(AnswerRequest request, IEmbeddingGenerator<string, Embedding<float>>? embedder, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var questionTerms = TextAnalyzer.Analyze(request.Question).Distinct(StringComparer.Ordinal).ToList();
        if (request.Passages.Count == 0 || (questionTerms.Count == 0 && request.QuestionVector.IsEmpty))
        {
            return AnswerTexts.FallbackAnswer(0);
        }

        var confidence = AnswerConfidence.Of(request);
        var best = request.Passages[0];
        // Clearly unrelated (or, without vectors, not covered): no need to look inside the passage.
        if (best.Similarity is { } passageSimilarity ? passageSimilarity < AnswerConfidence.Unrelated : confidence < AnswerConfidence.AnswerAt)
        {
            return AnswerTexts.FallbackAnswer(confidence);
        }

        var units = AnswerUnits.Split(best.Chunk.Text).Take(MaxUnits).ToList();
        if (units.Count == 0)
        {
            return AnswerTexts.FallbackAnswer(confidence);
        }

        // Rarer question terms count more: "spring" decides between half terms, "half" and "term" do not.
        var weights = questionTerms.ToDictionary(t => t, t => TermWeight(t, request.Passages), StringComparer.Ordinal);
        var total = weights.Values.Sum();
        // A unit is read under its page title and heading: "February half term is …" under "Spring term" answers
        // "when is the spring half term?" fully, and "The spring term ends …" does not, though it says "spring".
        var context = TextAnalyzer.Analyze($"{best.Chunk.Title} {best.Chunk.Heading}");
        var lexical = units.Select(u =>
        {
            var terms = TextAnalyzer.Analyze(u.Text).Concat(context).ToHashSet(StringComparer.Ordinal);
            return total > 0 ? weights.Where(w => terms.Contains(w.Key)).Sum(w => w.Value) / total : 0;
        }).ToList();
        var dense = await UnitSimilaritiesAsync(request, units, embedder, cancellationToken);
        var scores = units.Select((_, i) => dense is null ? lexical[i] : (UnitDenseWeight * dense[i]) + ((1 - UnitDenseWeight) * lexical[i])).ToList();

        if (dense is not null && best.Similarity is not null)
        {
            // The decision reads the closest of passage and unit with the other signals (AnswerSignals).
            confidence = AnswerConfidence.Of(request, dense.Max());
        }

        if (confidence < AnswerConfidence.AnswerAt)
        {
            return AnswerTexts.FallbackAnswer(confidence);
        }

        var top = Enumerable.Range(0, units.Count).MaxBy(i => scores[i]);
        var chosen = new SortedSet<int> { top };
        // What the passage's title and heading already say counts as said ("Spring term" › "half term is …"), so a
        // neighbour joins only when it scores close to the best unit and brings a question term nothing chosen has.
        var covered = TextAnalyzer.Analyze($"{best.Chunk.Title} {best.Chunk.Heading} {units[top].Text}").ToHashSet(StringComparer.Ordinal);
        var limit = units[top].Kind == UnitKind.Sentence ? MaxSentences : MaxListItems;
        foreach (var i in Enumerable.Range(0, units.Count).Where(i => i != top && scores[i] >= KeepShare * scores[top] && lexical[i] > 0)
                     .OrderByDescending(i => scores[i]))
        {
            if (chosen.Count >= limit)
            {
                break;
            }

            var terms = TextAnalyzer.Analyze(units[i].Text).Where(weights.ContainsKey).ToList();
            if (terms.Any(t => !covered.Contains(t)))
            {
                chosen.Add(i);
                covered.UnionWith(terms);
            }
        }

        var text = AnswerUnits.Join(chosen.Select(i => units[i]));
        text = ReadingLevelSimplifier.Simplify(text, request.ReadingLevel);
        return new GeneratedAnswer(text, [AnswerTexts.CitationOf(best)], Math.Round(confidence, 2), false);
    }

    private static double TermWeight(string term, IReadOnlyList<SearchHit> passages)
    {
        var containing = passages.Count(p => TextAnalyzer.Analyze($"{p.Chunk.Heading} {p.Chunk.Text}").Contains(term, StringComparer.Ordinal));
        return Math.Log(1 + ((passages.Count + 1.0) / (containing + 0.5)));
    }

    /// <summary>
    /// The cosine of the question to each answer unit of the best passage (null without an embedder or question vector);
    /// public so the answers benchmark reads the same signal the decision does.
    /// </summary>
    public static Task<IReadOnlyList<double>?> UnitSimilaritiesAsync(AnswerRequest request, IEmbeddingGenerator<string, Embedding<float>>? embedder, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.Passages.Count == 0 ? Task.FromResult<IReadOnlyList<double>?>(null)
            : UnitSimilaritiesAsync(request, [.. AnswerUnits.Split(request.Passages[0].Chunk.Text).Take(MaxUnits)], embedder, cancellationToken);
    }

    private static async Task<IReadOnlyList<double>?> UnitSimilaritiesAsync(AnswerRequest request, IReadOnlyList<AnswerUnit> units,
        IEmbeddingGenerator<string, Embedding<float>>? embedder, CancellationToken cancellationToken)
    {
        var question = request.QuestionVector;
        var heading = request.Passages[0].Chunk.Heading?.Split(Knowledge.Content.Chunker.HeadingSeparator)[^1];
        if (embedder is null || question.IsEmpty || units.Count == 0)
        {
            return null;
        }

        var vectors = await embedder.GenerateAsync(units.Select(u => heading is null ? u.Text : $"{heading}: {u.Text}"), cancellationToken: cancellationToken);
        return [.. vectors.Select(v => (double)Cosine(question.Span, v.Vector.Span))];
    }

    private static float Cosine(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        if (a.Length != b.Length)
        {
            return 0;
        }

        float dot = 0, na = 0, nb = 0;
        for (var i = 0; i < a.Length; i++)
        {
            dot += a[i] * b[i];
            na += a[i] * a[i];
            nb += b[i] * b[i];
        }

        return na == 0 || nb == 0 ? 0 : dot / MathF.Sqrt(na * nb);
    }
}

/// <summary>
/// What an answer is built from: a sentence, a list item, a sentence introducing a list together with its items
/// ("You will need:" and the kit list, scored and kept as one), or a table row (already as Header: value pairs).
/// </summary>
public enum UnitKind
{
    Sentence,
    ListItem,
    List,
    TableRow,
}

public sealed record AnswerUnit(UnitKind Kind, string Text);

/// <summary>Splits passage text into answer units and joins chosen units back into answer text (api.md's text format).</summary>
public static partial class AnswerUnits
{
    public static IEnumerable<AnswerUnit> Split(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var lines = text.ReplaceLineEndings("\n").Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0).ToList();
        for (var i = 0; i < lines.Count; i++)
        {
            var line = lines[i];
            if (IsTableRow(line) && i + 1 < lines.Count && IsTableRow(lines[i + 1]))
            {
                var header = Cells(line);
                for (i++; i < lines.Count && IsTableRow(lines[i]); i++)
                {
                    var cells = Cells(lines[i]);
                    if (cells.All(c => c.Trim('-', ':', ' ').Length == 0))
                    {
                        continue; // A Markdown separator row (|---|---|).
                    }

                    var pairs = cells.Select((c, k) => k < header.Count && header[k].Length > 0 && c.Length > 0 ? $"{header[k]}: {c}" : c).Where(p => p.Length > 0);
                    yield return new AnswerUnit(UnitKind.TableRow, string.Join("; ", pairs));
                }

                i--;
                continue;
            }

            if (ListMarker().Match(line) is { Success: true } marker)
            {
                yield return new AnswerUnit(UnitKind.ListItem, "- " + line[marker.Length..].Trim());
                continue;
            }

            var sentences = SentenceBoundary().Split(line).Select(s => s.Trim()).Where(s => s.Length > 0).ToList();
            for (var k = 0; k < sentences.Count; k++)
            {
                var isIntro = k == sentences.Count - 1 && sentences[k].EndsWith(':') && i + 1 < lines.Count && ListMarker().IsMatch(lines[i + 1]);
                if (!isIntro)
                {
                    yield return new AnswerUnit(UnitKind.Sentence, sentences[k]);
                    continue;
                }

                var list = new List<string> { sentences[k] };
                for (; i + 1 < lines.Count && ListMarker().Match(lines[i + 1]) is { Success: true } item; i++)
                {
                    list.Add("- " + lines[i + 1][item.Length..].Trim());
                }

                yield return new AnswerUnit(UnitKind.List, string.Join('\n', list));
            }
        }
    }

    /// <summary>Sentences run on as a paragraph; list items and table rows each take a line.</summary>
    public static string Join(IEnumerable<AnswerUnit> units)
    {
        ArgumentNullException.ThrowIfNull(units);
        var output = new System.Text.StringBuilder();
        UnitKind? previous = null;
        foreach (var unit in units)
        {
            if (previous is not null)
            {
                output.Append(previous == UnitKind.Sentence && unit.Kind == UnitKind.Sentence ? " " : "\n");
            }

            output.Append(unit.Text);
            previous = unit.Kind;
        }

        return output.ToString();
    }

    private static bool IsTableRow(string line) => line.Contains(" | ", StringComparison.Ordinal) || (line.StartsWith('|') && line.EndsWith('|') && line.Length > 2);

    private static List<string> Cells(string line) => [.. line.Trim('|').Split('|').Select(c => c.Trim())];

    [GeneratedRegex(@"^(?:[-*•]\s+|\d{1,2}[.)]\s+)")]
    private static partial Regex ListMarker();

    [GeneratedRegex(@"(?<=[.!?])\s+(?=[A-Z0-9""'(])")]
    private static partial Regex SentenceBoundary();
}
