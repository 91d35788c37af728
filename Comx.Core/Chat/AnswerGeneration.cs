using Comx.Core.Accessibility;
using Comx.Core.Knowledge.Retrieval;

namespace Comx.Core.Chat;

/// <summary>What the answer generator is given: the question, the passages retrieval found, and how to write.</summary>
/// <param name="Question">The visitor's question.</param>
/// <param name="Passages">The passages, best first (hybrid hits carry their dense similarity).</param>
/// <param name="ReadingLevel">How simply to write.</param>
/// <param name="QuestionVector">The question's embedding (empty when none was computed).</param>
public sealed record AnswerRequest(string Question, IReadOnlyList<SearchHit> Passages, ReadingLevel ReadingLevel, ReadOnlyMemory<float> QuestionVector = default);

/// <summary>A generated answer. <c>Fallback</c>: low confidence, so the text offers a person and the enquiry form instead.</summary>
public sealed record GeneratedAnswer(string Text, IReadOnlyList<Citation> Citations, double Confidence, bool Fallback);

/// <summary>The generator's outcome: an answer, or the model provider was unavailable (a value, not an exception).</summary>
public abstract record AnswerOutcome
{
    public sealed record Answered(GeneratedAnswer Answer) : AnswerOutcome;

    public sealed record ProviderUnavailable(string Reason) : AnswerOutcome;
}

/// <summary>Writes an answer grounded in retrieved passages. Two implementations: extractive (default) and a chat model.</summary>
public interface IAnswerGenerator
{
    Task<AnswerOutcome> GenerateAsync(AnswerRequest request, CancellationToken cancellationToken);
}

/// <summary>
/// What the answer-or-fallback decision reads, all from the retrieval the question already paid for.
/// </summary>
/// <param name="Closest">The larger of <paramref name="PassageCosine"/> and the best cosine of one of the best passage's
/// sentences, list items or table rows (a long section embeds as the average of what it covers).</param>
/// <param name="PassageCosine">Cosine of the question to the best passage.</param>
/// <param name="Margin">How far the best passage's cosine stands above the next passage's: a question the pages answer
/// usually has one clear passage; one near their topic that they do not answer sits between several.</param>
/// <param name="Coverage">The share of the question's terms the best passage (title, heading, text) holds, each weighted
/// by how rare it is among the retrieved passages; a term no passage holds ("Outlook" on pages about Gmail) weighs most.</param>
/// <param name="LexicalAgreement">The best passage's BM25 score over the best BM25 score among the hits (1: BM25 agrees).</param>
public sealed record AnswerSignals(double Closest, double PassageCosine, double Margin, double Coverage, double LexicalAgreement)
{
    /// <summary>The signals of a hybrid search's hits; <paramref name="bestUnitCosine"/> null when no unit was scored.</summary>
    public static AnswerSignals Of(AnswerRequest request, double? bestUnitCosine)
    {
        ArgumentNullException.ThrowIfNull(request);
        var hits = request.Passages;
        var best = hits[0];
        var cosine = best.Similarity ?? 0;
        var next = hits.Skip(1).Select(h => h.Similarity ?? 0).DefaultIfEmpty(0).Max();
        var topLexical = hits.Max(h => h.Lexical);
        return new AnswerSignals(Math.Max(cosine, bestUnitCosine ?? cosine), cosine, cosine - next, CoverageOf(request.Question, hits),
            topLexical > 0 ? best.Lexical / topLexical : 0);
    }

    /// <summary>The rarity-weighted share of the question's terms that the best passage holds (0 when it has none).</summary>
    public static double CoverageOf(string question, IReadOnlyList<SearchHit> passages)
    {
        ArgumentNullException.ThrowIfNull(passages);
        var terms = TextAnalyzer.Analyze(question).Distinct(StringComparer.Ordinal).ToList();
        if (terms.Count == 0 || passages.Count == 0)
        {
            return 0;
        }

        var held = passages.Select(p => TextAnalyzer.Analyze($"{p.Chunk.Title} {p.Chunk.Heading} {p.Chunk.Text}").ToHashSet(StringComparer.Ordinal)).ToList();
        double total = 0, covered = 0;
        foreach (var term in terms)
        {
            var weight = Math.Log(1 + ((passages.Count + 1.0) / (held.Count(h => h.Contains(term)) + 0.5)));
            total += weight;
            covered += held[0].Contains(term) ? weight : 0;
        }

        return covered / total;
    }
}

/// <summary>
/// Whether the org's pages answer the question, as a confidence in [0, 1] with <see cref="AnswerAt"/> the line
/// between answering and falling back.
/// </summary>
/// <remarks>
/// <para>With vectors, a logistic combination of <see cref="AnswerSignals"/> estimates how likely the pages cover the
/// question. Its weights were fitted on the answers benchmark's dev split only (StackFAQ rephrasings 1–2 of the 100
/// ingested threads as covered; rephrasings 1–2 of the 25 withheld threads and the even SQuAD articles' questions as not
/// covered); the line and the confidence scale were then read off the same dev rows (docs/decisions/016, BENCHMARKS.md
/// "Answers"). Similarity alone measures topic, not answerability: a question near the pages' topic scores almost as
/// high as a covered one, and margin and coverage are what tell them apart.</para>
/// <para>The probability maps to confidence piecewise linearly: <see cref="AnswerProbability"/> → 0.5 (the answer line),
/// <see cref="ConfidentProbability"/> → 0.8 (from there answers were right ≥ 80% of the time on dev), 1 → 1.</para>
/// <para>Without vectors (an index published before embeddings) it is the share of the question's terms the best passage
/// holds, as before, with the old line of 0.45 mapped to 0.5.</para>
/// </remarks>
public static class AnswerConfidence
{
    public const double AnswerAt = 0.5;

    /// <summary>Best-passage cosine below which no sentence of it is examined: the question is unrelated.</summary>
    public const double Unrelated = 0.2;

    /// <summary>
    /// Fitted on dev (370 questions, docs/decisions/016): intercept, then the weights of Closest, PassageCosine, Margin
    /// (not used), Coverage, LexicalAgreement.
    /// </summary>
    public static readonly IReadOnlyList<double> Weights = [-7.663, 6.315, 6.034, 0, 0.423, 1.372];

    /// <summary>The covered-probability from which the question is answered: 99.5% of covered dev questions are.</summary>
    public const double AnswerProbability = 0.314;

    /// <summary>The covered-probability from which dev answers were right 90% of the time (confidence 0.8).</summary>
    public const double ConfidentProbability = 0.654;

    private const double LexicalThreshold = 0.45;

    /// <summary>The confidence of the best passage alone (no sentence scored: its own cosine stands in).</summary>
    public static double Of(AnswerRequest request) => Of(request, null);

    public static double Of(AnswerRequest request, double? bestUnitCosine)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Passages.Count == 0)
        {
            return 0;
        }

        var best = request.Passages[0];
        if (best.Similarity is not null)
        {
            return FromProbability(Probability(AnswerSignals.Of(request, bestUnitCosine)));
        }

        var questionTerms = TextAnalyzer.Analyze(request.Question).ToHashSet(StringComparer.Ordinal);
        if (questionTerms.Count == 0)
        {
            return 0;
        }

        var passageTerms = TextAnalyzer.Analyze($"{best.Chunk.Title} {best.Chunk.Heading} {best.Chunk.Text}").ToHashSet(StringComparer.Ordinal);
        var coverage = (double)questionTerms.Count(passageTerms.Contains) / questionTerms.Count;
        return coverage < LexicalThreshold ? coverage * AnswerAt / LexicalThreshold : AnswerAt + ((coverage - LexicalThreshold) * AnswerAt / (1 - LexicalThreshold));
    }

    /// <summary>The fitted logistic estimate that the pages cover the question.</summary>
    public static double Probability(AnswerSignals signals, IReadOnlyList<double>? weights = null)
    {
        ArgumentNullException.ThrowIfNull(signals);
        var w = weights ?? Weights;
        var z = w[0] + (w[1] * signals.Closest) + (w[2] * signals.PassageCosine) + (w[3] * signals.Margin) + (w[4] * signals.Coverage) + (w[5] * signals.LexicalAgreement);
        return 1 / (1 + Math.Exp(-z));
    }

    /// <summary>Probability to confidence: through (0, 0), (answer line, 0.5), (confident line, 0.8) and (1, 1), linearly.</summary>
    public static double FromProbability(double probability, double answerProbability = AnswerProbability, double confidentProbability = ConfidentProbability) =>
        probability < answerProbability ? AnswerAt * Math.Max(0, probability) / answerProbability
        : probability < confidentProbability ? AnswerAt + (0.3 * (probability - answerProbability) / (confidentProbability - answerProbability))
        : Math.Min(1, 0.8 + (0.2 * (probability - confidentProbability) / (1 - confidentProbability)));
}

/// <summary>What the widget may offer next (<c>suggested_actions</c>, api.md).</summary>
public static class SuggestedActions
{
    public const string Handoff = "handoff";
    public const string Enquiry = "enquiry";

    /// <summary>What a fallback offers: a person when the org allows handoff, and the enquiry form when enabled.</summary>
    public static IReadOnlyList<string> ForFallback(bool handoffEnabled, bool enquiriesEnabled) =>
        [.. handoffEnabled ? [Handoff] : Array.Empty<string>(), .. enquiriesEnabled ? [Enquiry] : Array.Empty<string>()];
}

/// <summary>Texts shared by both generators.</summary>
public static class AnswerTexts
{
    public const double ConfidenceThreshold = AnswerConfidence.AnswerAt;

    public const string Fallback =
        "I couldn't find a clear answer to that in our information. Would you like to talk to a member of staff, or leave an enquiry so we can get back to you?";

    public static GeneratedAnswer FallbackAnswer(double confidence) => new(Fallback, [], Math.Round(confidence, 2), true);

    /// <summary>The fallback worded for what the org offers, so it never offers a person who cannot be reached.</summary>
    public static string FallbackText(bool handoffEnabled, bool enquiriesEnabled) => (handoffEnabled, enquiriesEnabled) switch
    {
        (true, true) => Fallback,
        (true, false) => "I couldn't find a clear answer to that in our information. Would you like to talk to a member of staff?",
        (false, true) => "I couldn't find a clear answer to that in our information. Would you like to leave an enquiry so we can get back to you?",
        _ => "I couldn't find a clear answer to that in our information. Please contact the office directly.",
    };

    public static Citation CitationOf(SearchHit hit)
    {
        ArgumentNullException.ThrowIfNull(hit);
        return new Citation(hit.Chunk.SourceId, hit.Chunk.Title, hit.Chunk.Url, hit.Snippet);
    }
}
