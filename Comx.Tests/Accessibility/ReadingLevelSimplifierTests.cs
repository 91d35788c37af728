using System.Text.RegularExpressions;
using Comx.Core.Accessibility;

namespace Comx.Tests.Accessibility;

public sealed partial class ReadingLevelSimplifierTests
{
    private const string OpenEvening =
        "Our open evening will commence on Thursday 12 September 2026 at 6:30pm in the main hall, and parents are " +
        "required to register approximately two weeks prior to the event by emailing admissions@example.org or " +
        "calling 01632 960001. Tours of the science labs run every 15 minutes. Additional parking is available on " +
        "Mill Lane. Refreshments will be served in the canteen. Please ensure you bring photo ID. The headteacher " +
        "will speak at 7pm.";

    private const string FirstSentence =
        "Our open evening will commence on Thursday 12 September 2026 at 6:30pm in the main hall, and parents are " +
        "required to register approximately two weeks prior to the event by emailing admissions@example.org or " +
        "calling 01632 960001.";

    [Theory]
    [InlineData(OpenEvening)]
    [InlineData("Approximately 30 pupils.")]
    [InlineData("line one\n\n- a list item")]
    [InlineData("")]
    public void Standard_ReturnsTextUnchanged(string text) =>
        Assert.Same(text, ReadingLevelSimplifier.Simplify(text, ReadingLevel.Standard));

    [Theory]
    [InlineData(ReadingLevel.Simplified)]
    [InlineData(ReadingLevel.EasyRead)]
    public void FirstSentenceFacts_AreAlwaysKept(ReadingLevel level)
    {
        var output = ReadingLevelSimplifier.Simplify(OpenEvening, level);

        foreach (var fact in Facts(FirstSentence))
        {
            Assert.Contains(fact, output, StringComparison.Ordinal);
        }

        Assert.Contains("12 September 2026", output, StringComparison.Ordinal);
        Assert.Contains("admissions@example.org", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Simplified_IsShorterWithPlainWordsAndAtMostThreeSentences()
    {
        var output = ReadingLevelSimplifier.Simplify(OpenEvening, ReadingLevel.Simplified);

        Assert.True(output.Length < OpenEvening.Length);
        Assert.DoesNotContain('\n', output);
        var sentences = SentenceEnd().Split(output).Where(s => s.Length > 0).ToList();
        Assert.InRange(sentences.Count, 1, ReadingLevelSimplifier.SimplifiedMaxSentences);
        Assert.All(sentences, sentence => Assert.True(Words(sentence) <= ReadingLevelSimplifier.SimplifiedMaxWords, sentence));
        Assert.StartsWith("Our open evening will start on Thursday 12 September 2026 at 6:30pm in the main hall.", output, StringComparison.Ordinal);
        Assert.Contains("Parents are needed to register about two weeks before the event", output, StringComparison.Ordinal);
        Assert.DoesNotContain("approximately", output, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("headteacher", output, StringComparison.Ordinal);
    }

    [Fact]
    public void EasyRead_IsShortBulletLines()
    {
        var output = ReadingLevelSimplifier.Simplify(OpenEvening, ReadingLevel.EasyRead);

        var lines = output.Split('\n');
        Assert.InRange(lines.Length, 2, ReadingLevelSimplifier.EasyReadMaxLines);
        Assert.All(lines, line =>
        {
            Assert.StartsWith(ReadingLevelSimplifier.EasyReadBullet, line, StringComparison.Ordinal);
            // Split at every clause break; a clause with none (the first line here) stays whole.
            Assert.True(Words(line[ReadingLevelSimplifier.EasyReadBullet.Length..]) <= 18, line);
            Assert.Matches(@"[.!?]$", line);
        });
        Assert.Equal("• Our open evening will start on Thursday 12 September 2026 at 6:30pm in the main hall.", lines[0]);
    }

    [Fact]
    public void LongFirstSentence_IsKeptWholeEvenPastTheLineLimit()
    {
        const string text =
            "Term starts on 3 September, and lunch costs £2.50, and buses leave at 3:15pm, and the library opens at " +
            "8am, and the gym closes at 6pm, and uniform costs £45, and lockers cost £10. Nothing else matters here.";

        var output = ReadingLevelSimplifier.Simplify(text, ReadingLevel.EasyRead);

        foreach (var fact in new[] { "3 September", "£2.50", "3:15pm", "8am", "6pm", "£45", "£10" })
        {
            Assert.Contains(fact, output, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("Nothing else", output, StringComparison.Ordinal);
        Assert.Equal(7, output.Split('\n').Length);
        Assert.Equal("• Lunch costs £2.50.", output.Split('\n')[1]);
    }

    [Fact]
    public void ShortSentenceWithClauses_IsOneIdeaPerLineInEasyReadOnly()
    {
        const string text = "The bus leaves at 3pm, but the late bus leaves at 5pm; both stop at the station.";

        Assert.Equal(text, ReadingLevelSimplifier.Simplify(text, ReadingLevel.Simplified));
        Assert.Equal("• The bus leaves at 3pm.\n• But the late bus leaves at 5pm.\n• Both stop at the station.",
            ReadingLevelSimplifier.Simplify(text, ReadingLevel.EasyRead));
    }

    [Fact]
    public void SentenceEnds_IgnoreDecimalsTimesAbbreviationsAndInitials()
    {
        const string text = "Dr. J. Smith charges £12.50 at 10.30 a.m. on 12 Sept. 2026, e.g. for tutoring. Next sentence. Third one. Fourth one.";

        var output = ReadingLevelSimplifier.Simplify(text, ReadingLevel.Simplified);

        Assert.Equal("Dr. J. Smith charges £12.50 at 10.30 a.m. on 12 Sept. 2026, e.g. for tutoring. Next sentence. Third one.", output);
    }

    [Fact]
    public void PlainWords_KeepCapitalsAndLeaveUrlsAlone()
    {
        const string text = "Purchase tickets at https://example.org/purchase or email purchase@example.org in order to commence.";

        var output = ReadingLevelSimplifier.Simplify(text, ReadingLevel.Simplified);

        Assert.Equal("Buy tickets at https://example.org/purchase or email purchase@example.org to start.", output);
    }

    [Fact]
    public void ListLines_BecomeSentences()
    {
        const string text = "Bring:\n- a pen\n- a calculator\n* a ruler\n1. your planner";

        Assert.Equal("• Bring:\n• A pen.\n• A calculator.\n• A ruler.\n• Your planner.", ReadingLevelSimplifier.Simplify(text, ReadingLevel.EasyRead));
    }

    [Theory]
    [InlineData("\"Quoted.\" Next (with a note) and more", "\"Quoted.\" Next (with a note) and more.")]
    [InlineData("Is it open? Yes (until 4pm)", "Is it open? Yes (until 4pm).")]
    [InlineData("Ends with a colon:", "Ends with a colon:")]
    public void SentencesEndWithOnePunctuationMark(string text, string expected) =>
        Assert.Equal(expected, ReadingLevelSimplifier.Simplify(text, ReadingLevel.Simplified));

    [Theory]
    [InlineData(ReadingLevel.Simplified)]
    [InlineData(ReadingLevel.EasyRead)]
    public void SameInput_SameOutput(ReadingLevel level) =>
        Assert.Equal(ReadingLevelSimplifier.Simplify(OpenEvening, level), ReadingLevelSimplifier.Simplify(OpenEvening, level));

    [Theory]
    [InlineData(ReadingLevel.Simplified)]
    [InlineData(ReadingLevel.EasyRead)]
    public void BlankText_IsReturnedAsIs(ReadingLevel level) => Assert.Equal("  ", ReadingLevelSimplifier.Simplify("  ", level));

    /// <summary>Every token of the sentence with a digit in it: numbers, dates, times, prices, phone groups.</summary>
    private static IEnumerable<string> Facts(string sentence) =>
        FactToken().Matches(sentence).Select(match => match.Value.TrimEnd('.', ','));

    private static int Words(string sentence) => sentence.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;

    [GeneratedRegex(@"\S*\d\S*")]
    private static partial Regex FactToken();

    [GeneratedRegex(@"(?<=[.!?])\s+")]
    private static partial Regex SentenceEnd();
}
