using Comx.Core.Accessibility;
using Comx.Core.Chat;
using Comx.Core.Knowledge.Retrieval;

namespace Comx.Tests.Chat;

/// <summary>
/// The answer-or-fallback decision (<see cref="AnswerConfidence"/>): a passage that is on the question's topic but does
/// not hold its rarest words, with BM25 preferring another passage, falls back where the best cosine alone answered;
/// confidence follows the fitted probability through its calibration points.
/// </summary>
public sealed class AnswerDecisionTests
{
    private static SearchHit Hit(string id, string heading, string text, double cosine, double lexical) =>
        new(new IndexedChunk(id, "src_" + id, "Help centre", null, heading, text), 0, text, cosine, lexical);

    [Fact]
    public void OnTopicPassage_MissingTheQuestionsRareWords_AndNotBm25sChoice_FallsBack()
    {
        // Cosine 0.45 cleared the old line of 0.40; the question's distinctive words ("outlook", "signature") are in no
        // passage, and BM25 ranks another passage far higher.
        var request = new AnswerRequest("How do I add a signature in Outlook?",
        [
            Hit("gmail_filters", "Gmail filters", "Create a filter in Gmail settings to label incoming mail automatically.", 0.45, 2.0),
            Hit("gmail_labels", "Gmail labels", "Labels in Gmail work like folders for your mail.", 0.44, 6.0),
        ], ReadingLevel.Standard);

        var confidence = AnswerConfidence.Of(request);

        Assert.True(confidence < AnswerConfidence.AnswerAt, $"confidence {confidence}");
    }

    [Fact]
    public void SameCosine_WithTheQuestionsWordsAndBm25Agreeing_IsAnswered()
    {
        var request = new AnswerRequest("How do I add a signature in Gmail?",
        [
            Hit("gmail_signature", "Gmail signature", "Open Gmail settings to add your signature in the Signature box.", 0.45, 6.0),
            Hit("gmail_labels", "Gmail labels", "Labels in Gmail work like folders for your mail.", 0.44, 2.0),
        ], ReadingLevel.Standard);

        var confidence = AnswerConfidence.Of(request);

        Assert.True(confidence >= AnswerConfidence.AnswerAt, $"confidence {confidence}");
    }

    [Fact]
    public void Confidence_PassesThroughItsCalibrationPoints_AndRisesWithTheProbability()
    {
        Assert.Equal(0.5, AnswerConfidence.FromProbability(AnswerConfidence.AnswerProbability), 6);
        Assert.Equal(0.8, AnswerConfidence.FromProbability(AnswerConfidence.ConfidentProbability), 6);
        Assert.Equal(1.0, AnswerConfidence.FromProbability(1), 6);
        var previous = -1.0;
        for (var p = 0.0; p <= 1.0; p += 0.01)
        {
            var confidence = AnswerConfidence.FromProbability(p);
            Assert.True(confidence >= previous && confidence is >= 0 and <= 1, $"p {p}: {confidence} after {previous}");
            previous = confidence;
        }
    }

    [Fact]
    public void Coverage_WeighsAWordNoPassageHolds_Most()
    {
        var hits = new[]
        {
            Hit("a", "Clubs", "After-school clubs run from 3:15pm. Football is on Mondays.", 0.5, 1),
            Hit("b", "Lunch", "School lunches cost £2.60.", 0.3, 1),
        };

        var covered = AnswerSignals.CoverageOf("When is football club?", hits);
        var uncovered = AnswerSignals.CoverageOf("When is breakfast club?", hits);

        Assert.Equal(1.0, covered, 6);
        Assert.True(uncovered < 0.5, $"coverage {uncovered}");
    }
}
