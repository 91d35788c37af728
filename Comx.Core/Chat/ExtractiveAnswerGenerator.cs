using System.Text.RegularExpressions;
using Comx.Core.Accessibility;
using Comx.Core.Knowledge.Retrieval;

namespace Comx.Core.Chat;

/// <summary>
/// The default generator, needing no model: answers with the sentences of the best passages that cover most of the
/// question's terms, cites those passages, and rates its confidence by how much of the question they cover. Below
/// <see cref="AnswerTexts.ConfidenceThreshold"/> it falls back to offering a person. Deterministic: the same
/// passages give the same answer, which the reading-level simplifier then shortens for learners who need it.
/// </summary>
public sealed partial class ExtractiveAnswerGenerator : IAnswerGenerator
{
    private const int MaxSentences = 3;
    private const int MaxPassages = 2;

    public Task<AnswerOutcome> GenerateAsync(AnswerRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Task.FromResult<AnswerOutcome>(new AnswerOutcome.Answered(Generate(request)));
    }

    public static GeneratedAnswer Generate(AnswerRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var questionTerms = TextAnalyzer.Analyze(request.Question).ToHashSet(StringComparer.Ordinal);
        if (questionTerms.Count == 0 || request.Passages.Count == 0)
        {
            return AnswerTexts.FallbackAnswer(0);
        }

        var candidates = new List<(SearchHit Hit, int Passage, int Position, string Sentence, HashSet<string> Terms)>();
        foreach (var (hit, passage) in request.Passages.Take(MaxPassages).Select((h, i) => (h, i)))
        {
            var sentences = Sentences(hit.Chunk.Text);
            for (var position = 0; position < sentences.Count; position++)
            {
                var terms = TextAnalyzer.Analyze(sentences[position]).Where(questionTerms.Contains).ToHashSet(StringComparer.Ordinal);
                if (terms.Count > 0)
                {
                    candidates.Add((hit, passage, position, sentences[position], terms));
                }
            }
        }

        // Coverage: the share of the question's terms found in the best passage, its title or its heading.
        var best = request.Passages[0].Chunk;
        var bestTerms = TextAnalyzer.Analyze($"{best.Title} {best.Heading} {best.Text}").ToHashSet(StringComparer.Ordinal);
        var confidence = (double)questionTerms.Count(bestTerms.Contains) / questionTerms.Count;
        if (confidence < AnswerTexts.ConfidenceThreshold || candidates.Count == 0)
        {
            return AnswerTexts.FallbackAnswer(confidence);
        }

        // Greedy: take sentences adding new question terms, best first; keep the original reading order.
        var covered = new HashSet<string>(StringComparer.Ordinal);
        var chosen = new List<(SearchHit Hit, int Passage, int Position, string Sentence, HashSet<string> Terms)>();
        foreach (var candidate in candidates.OrderBy(c => c.Passage).ThenByDescending(c => c.Terms.Count).ThenBy(c => c.Position))
        {
            if (chosen.Count == MaxSentences)
            {
                break;
            }

            if (chosen.Count == 0 || candidate.Terms.Except(covered).Any())
            {
                chosen.Add(candidate);
                covered.UnionWith(candidate.Terms);
            }
        }

        var text = string.Join(" ", chosen.OrderBy(c => c.Passage).ThenBy(c => c.Position).Select(c => c.Sentence));
        text = ReadingLevelSimplifier.Simplify(text, request.ReadingLevel);
        var citations = chosen.Select(c => c.Hit).DistinctBy(h => h.Chunk.ChunkId).Select(AnswerTexts.CitationOf).ToList();
        return new GeneratedAnswer(text, citations, Math.Round(confidence, 2), false);
    }

    private static List<string> Sentences(string text) =>
        [.. SentenceBoundary().Split(text.ReplaceLineEndings(" ")).Select(s => s.Trim()).Where(s => s.Length > 0)];

    [GeneratedRegex(@"(?<=[.!?])\s+(?=[A-Z0-9""'(])")]
    private static partial Regex SentenceBoundary();
}
