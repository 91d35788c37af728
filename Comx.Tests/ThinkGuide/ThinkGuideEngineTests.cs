using Comx.Core.Accessibility;
using Comx.Core.ThinkGuide;

namespace Comx.Tests.ThinkGuide;

public sealed class ThinkGuideEngineTests
{
    private const string Question = "How many legs do 3 spiders and 2 ants have altogether?";

    private static readonly string[] GoodResponses =
    [
        "It asks for the total number of legs on all the spiders and ants",
        "A spider has 8 legs and an ant has 6 legs",
        "First multiply the legs for each animal, then add them together",
        "3 times 8 is 24 and 2 times 6 is 12, so 24 plus 12 is 36",
        "I can count the legs again in groups of 8 and 6",
        "Writing each animal on its own line helped me keep track",
    ];

    private static ThinkGuideState Start(ReadingLevel level = ReadingLevel.Standard, string? subject = "maths") =>
        new(Question, subject, level, ThinkGuideStage.Understand, []);

    [Theory]
    [InlineData(ReadingLevel.Standard)]
    [InlineData(ReadingLevel.Simplified)]
    [InlineData(ReadingLevel.EasyRead)]
    public void GoodResponses_WalkEveryStageToASummaryOfTheLearnersOwnWords(ReadingLevel level)
    {
        var state = Start(level);
        var stages = new List<ThinkGuideStage>();
        foreach (var response in GoodResponses)
        {
            var advance = Assert.IsType<ThinkGuideDecision.Advance>(ThinkGuideEngine.Respond(state, response));
            stages.Add(advance.Next);
            state = state with { Stage = advance.Next, Responses = advance.Responses };
            if (advance.Next == ThinkGuideStage.Summary)
            {
                Assert.NotNull(advance.Summary);
                Assert.Contains("“It asks for the total number of legs", advance.Summary, StringComparison.Ordinal);
                Assert.Contains("24 plus 12 is 36", advance.Summary, StringComparison.Ordinal);
                Assert.Contains("helped me keep track", advance.Summary, StringComparison.Ordinal);
            }
            else
            {
                Assert.Null(advance.Summary);
            }
        }

        Assert.Equal([ThinkGuideStage.WhatYouKnow, ThinkGuideStage.Plan, ThinkGuideStage.Try, ThinkGuideStage.Check, ThinkGuideStage.Reflect, ThinkGuideStage.Summary], stages);
        Assert.Throws<InvalidOperationException>(() => ThinkGuideEngine.Respond(state, "more"));
    }

    [Fact]
    public void Prompts_QuoteTheLearnersPreviousResponse()
    {
        var state = Start() with { Stage = ThinkGuideStage.Plan, Responses = [GoodResponses[0], GoodResponses[1]] };

        var prompt = ThinkGuideEngine.Prompt(state);

        Assert.Contains("“A spider has 8 legs and an ant has 6 legs”", prompt, StringComparison.Ordinal);
        Assert.EndsWith("?", prompt, StringComparison.Ordinal);
    }

    [Fact]
    public void Prompts_NeverContainANumberTheLearnerDidNotWrite()
    {
        var state = Start(subject: null);
        foreach (var response in GoodResponses)
        {
            var learnerNumbers = string.Join(' ', [Question, .. state.Responses]);
            var prompt = ThinkGuideEngine.Prompt(state);
            foreach (var number in System.Text.RegularExpressions.Regex.Matches(prompt, @"\d+").Select(m => m.Value))
            {
                Assert.Contains(number, learnerNumbers, StringComparison.Ordinal);
            }

            Assert.DoesNotContain("36", prompt, StringComparison.Ordinal);
            var advance = (ThinkGuideDecision.Advance)ThinkGuideEngine.Respond(state, response);
            state = state with { Stage = advance.Next, Responses = advance.Responses };
            if (state.Stage == ThinkGuideStage.Check)
            {
                break;
            }
        }
    }

    [Theory]
    [InlineData("", RePromptReason.Empty)]
    [InlineData("   \n\t ", RePromptReason.Empty)]
    [InlineData("ok", RePromptReason.TooShort)]
    [InlineData("yes", RePromptReason.TooShort)]
    [InlineData("a b", RePromptReason.TooShort)]
    [InlineData("I don't know", RePromptReason.Stuck)]
    [InlineData("idk", RePromptReason.Stuck)]
    [InlineData("no idea", RePromptReason.Stuck)]
    [InlineData("I'm stuck", RePromptReason.Stuck)]
    [InlineData("I like pizza and football", RePromptReason.OffTopic)]
    [InlineData("What is for lunch today?", RePromptReason.OffTopic)]
    public void UnusableResponses_AreRePromptedAtTheSameStage(string response, RePromptReason reason)
    {
        var state = Start() with { Stage = ThinkGuideStage.WhatYouKnow, Responses = [GoodResponses[0]] };

        var rePrompt = Assert.IsType<ThinkGuideDecision.RePrompt>(ThinkGuideEngine.Respond(state, response));

        Assert.Equal(reason, rePrompt.Reason);
        Assert.EndsWith(ThinkGuideEngine.StageQuestion(ThinkGuideStage.WhatYouKnow, ReadingLevel.Standard), rePrompt.Prompt, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Spiders have eight legs")]
    [InlineData("I think you multiply")]
    [InlineData("24 + 12")]
    [InlineData("It is about counting because each one is different")]
    public void OnTopicOrReasoningResponses_Advance(string response) =>
        Assert.IsType<ThinkGuideDecision.Advance>(ThinkGuideEngine.Respond(Start() with { Stage = ThinkGuideStage.WhatYouKnow, Responses = [GoodResponses[0]] }, response));

    [Fact]
    public void ReadingLevels_WordEveryPromptDifferently()
    {
        var responses = GoodResponses.ToList();
        for (var stage = ThinkGuideStage.Understand; stage <= ThinkGuideStage.Summary; stage++)
        {
            var prompts = Enum.GetValues<ReadingLevel>()
                .Select(level => ThinkGuideEngine.Prompt(new ThinkGuideState(Question, "maths", level, stage, responses.Take((int)stage).ToList())))
                .ToList();
            Assert.Equal(3, prompts.Distinct().Count());
        }
    }

    [Fact]
    public void EasyRead_UsesOneShortSentencePerLine()
    {
        var state = Start(ReadingLevel.EasyRead);
        for (var i = 0; ; i++)
        {
            var texts = new List<string> { ThinkGuideEngine.Prompt(state) };
            if (state.Stage != ThinkGuideStage.Summary)
            {
                texts.AddRange(new[] { RePromptReason.Empty, RePromptReason.TooShort, RePromptReason.Stuck, RePromptReason.OffTopic }
                    .Select(reason => ThinkGuideEngine.RePromptText(state, reason)));
            }

            foreach (var line in texts.SelectMany(text => text.Split('\n')))
            {
                Assert.True(line.Split(' ').Length <= 12, $"Too long for easy read: {line}");
            }

            if (state.Stage == ThinkGuideStage.Summary)
            {
                break;
            }

            var advance = (ThinkGuideDecision.Advance)ThinkGuideEngine.Respond(state, GoodResponses[i]);
            state = state with { Stage = advance.Next, Responses = advance.Responses };
        }
    }

    [Fact]
    public void LongResponses_AreClippedWhenQuoted()
    {
        var longResponse = string.Join(' ', Enumerable.Repeat("spiders legs", 40));
        var state = Start(ReadingLevel.Simplified) with { Stage = ThinkGuideStage.WhatYouKnow, Responses = [longResponse] };

        var prompt = ThinkGuideEngine.Prompt(state);

        Assert.Contains("…”", prompt, StringComparison.Ordinal);
        Assert.True(prompt.Length < 300);
    }
}

public sealed class ThinkGuidePromptCheckTests
{
    private static readonly ThinkGuideState State = new("How many legs do 3 spiders and 2 ants have?", null, ReadingLevel.Standard, ThinkGuideStage.Plan,
        ["It asks for the total legs", "A spider has 8 legs"]);

    [Theory]
    [InlineData("How could you use what you know about 8 legs for each of the 3 spiders?", null)]
    [InlineData("What will you do first?", null)]
    [InlineData("", "empty")]
    [InlineData("Multiply the legs for each animal.", "not_a_question")]
    [InlineData("Did you know that 3 spiders have 24 legs?", "new_number")]
    [InlineData("Is the answer is the sum of the legs?", "answer_like")]
    [InlineData("So legs = spiders times 8, right?", "answer_like")]
    [InlineData("Which stage of the plan are you in?", "rule_leak")]
    [InlineData("As an AI I cannot give answers, but what will you do first?", "rule_leak")]
    public void Candidates_AreCheckedAgainstTheRules(string candidate, string? problem) =>
        Assert.Equal(problem, ThinkGuidePromptCheck.Problem(candidate, State));

    [Fact]
    public void LongCandidates_FailForTheReadingLevel()
    {
        var sentence = "Can you tell me which of the things you already know could help you with this question about the spiders?";

        Assert.Null(ThinkGuidePromptCheck.Problem(sentence, State));
        Assert.Equal("sentence_too_long", ThinkGuidePromptCheck.Problem(sentence, State with { Level = ReadingLevel.EasyRead }));
        Assert.Equal("too_long", ThinkGuidePromptCheck.Problem(string.Concat(Enumerable.Repeat("Why legs? ", 40)), State));
    }
}
