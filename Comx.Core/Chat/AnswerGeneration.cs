using Comx.Core.Accessibility;
using Comx.Core.Knowledge.Retrieval;

namespace Comx.Core.Chat;

/// <summary>What the answer generator is given: the question, the passages retrieval found, and how to write.</summary>
public sealed record AnswerRequest(string Question, IReadOnlyList<SearchHit> Passages, ReadingLevel ReadingLevel);

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

/// <summary>Texts shared by both generators.</summary>
public static class AnswerTexts
{
    public const double ConfidenceThreshold = 0.45;

    public const string Fallback =
        "I couldn't find a clear answer to that in our information. Would you like to talk to a member of staff, or leave an enquiry so we can get back to you?";

    public static GeneratedAnswer FallbackAnswer(double confidence) => new(Fallback, [], Math.Round(confidence, 2), true);

    public static Citation CitationOf(SearchHit hit)
    {
        ArgumentNullException.ThrowIfNull(hit);
        return new Citation(hit.Chunk.SourceId, hit.Chunk.Title, hit.Chunk.Url, hit.Snippet);
    }
}
