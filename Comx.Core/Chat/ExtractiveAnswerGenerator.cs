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

        var units = AnswerUnits.Of(best.Chunk);
        if (units.Count == 0)
        {
            return AnswerTexts.FallbackAnswer(confidence);
        }

        // Rarer question terms count more: "spring" decides between half terms, "half" and "term" do not.
        // Each passage is analysed once, then every question term is looked up in it.
        var passageTerms = request.Passages.Select(p => TextAnalyzer.Analyze($"{p.Chunk.Heading} {p.Chunk.Text}").ToHashSet(StringComparer.Ordinal)).ToList();
        var weights = questionTerms.ToDictionary(t => t, t => TermWeight(t, passageTerms), StringComparer.Ordinal);
        var total = weights.Values.Sum();
        // A unit is read under its page title and heading: "February half term is …" under "Spring term" answers
        // "when is the spring half term?" fully, and "The spring term ends …" does not, though it says "spring".
        var context = TextAnalyzer.Analyze($"{best.Chunk.Title} {best.Chunk.Heading}");
        var lexical = units.Select(u =>
        {
            var terms = TextAnalyzer.Analyze(u.Text).Concat(context).ToHashSet(StringComparer.Ordinal);
            return total > 0 ? weights.Where(w => terms.Contains(w.Key)).Sum(w => w.Value) / total : 0;
        }).ToList();
        var dense = await DenseAsync(best.Chunk, units, request.QuestionVector, embedder, cancellationToken);
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

    private static double TermWeight(string term, IReadOnlyList<HashSet<string>> passages)
    {
        var containing = passages.Count(p => p.Contains(term));
        return Math.Log(1 + ((passages.Count + 1.0) / (containing + 0.5)));
    }

    /// <summary>
    /// The cosine of the question to each answer unit of the best passage (null without a question vector); public so
    /// the answers benchmark reads the same signal the decision does.
    /// </summary>
    public static Task<IReadOnlyList<double>?> UnitSimilaritiesAsync(AnswerRequest request, IEmbeddingGenerator<string, Embedding<float>>? embedder, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.Passages.Count == 0 ? Task.FromResult<IReadOnlyList<double>?>(null)
            : DenseAsync(request.Passages[0].Chunk, AnswerUnits.Of(request.Passages[0].Chunk), request.QuestionVector, embedder, cancellationToken);
    }

    /// <summary>
    /// Each unit's cosine similarity to the question: from the unit vectors ingest stored with the chunk, so an answer
    /// embeds nothing but the question; embedded here only for an index stored without them (or under another split).
    /// </summary>
    private static async Task<IReadOnlyList<double>?> DenseAsync(IndexedChunk chunk, IReadOnlyList<AnswerUnit> units, ReadOnlyMemory<float> question,
        IEmbeddingGenerator<string, Embedding<float>>? embedder, CancellationToken cancellationToken)
    {
        if (question.IsEmpty)
        {
            return null;
        }

        var inputs = AnswerUnits.EmbeddingInputs(chunk, units);
        if (chunk.Sentences is { } stored && stored.Dimensions == question.Length && stored.Matches(inputs))
        {
            var similarities = new double[units.Count];
            for (var u = 0; u < similarities.Length; u++)
            {
                similarities[u] = stored.Similarity(u, question.Span);
            }

            return similarities;
        }

        if (embedder is null)
        {
            return null;
        }

        var vectors = await embedder.GenerateAsync(inputs, cancellationToken: cancellationToken);
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
