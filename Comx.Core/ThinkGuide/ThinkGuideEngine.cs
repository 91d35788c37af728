using System.Text;
using System.Text.RegularExpressions;
using Comx.Core.Accessibility;
using Comx.Core.Knowledge.Retrieval;

namespace Comx.Core.ThinkGuide;

/// <summary>The stages of a ThinkGuide session, in order. Serialised snake_case (<c>what_you_know</c>).</summary>
public enum ThinkGuideStage
{
    Understand,
    WhatYouKnow,
    Plan,
    Try,
    Check,
    Reflect,

    /// <summary>The session is complete; its summary holds the learner's own reasoning.</summary>
    Summary,
}

/// <summary>Why a response did not move the session on. Serialised snake_case (<c>off_topic</c>).</summary>
public enum RePromptReason
{
    Empty,
    TooShort,

    /// <summary>"I don't know", "I'm stuck": met with a nudge back to the question rather than a hint at the answer.</summary>
    Stuck,

    OffTopic,

    /// <summary>The response matched the organisation's safeguarding escalation terms; the prompt is its escalation message.</summary>
    Safeguarding,
}

/// <summary>Where a session stands: the learner's question and the responses that moved it on, one per stage so far.</summary>
public sealed record ThinkGuideState(string Question, string? Subject, ReadingLevel Level, ThinkGuideStage Stage, IReadOnlyList<string> Responses);

/// <summary>What <see cref="ThinkGuideEngine.Respond"/> decided about one learner response.</summary>
public abstract record ThinkGuideDecision
{
    private ThinkGuideDecision()
    {
    }

    /// <summary>The response was accepted: the session moves to <c>Next</c>. <c>Summary</c> is set when <c>Next</c> is the summary.</summary>
    public sealed record Advance(ThinkGuideStage Next, string Prompt, IReadOnlyList<string> Responses, string? Summary) : ThinkGuideDecision;

    /// <summary>The response was not accepted: the same stage is asked again, worded for the reason.</summary>
    public sealed record RePrompt(RePromptReason Reason, string Prompt) : ThinkGuideDecision;
}

/// <summary>
/// The deterministic ThinkGuide: walks a learner through their own question in fixed stages
/// (understand → what you already know → plan → try → check → reflect → summary) and never answers it.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>The engine has no answer to give: every prompt is a fixed template for the stage and reading level, with the
/// learner's own words quoted into it (their question and the response that moved the session into the stage). It
/// never adds a fact, number or result of its own.</item>
/// <item>A response moves the session on unless it is empty, too short (fewer than <see cref="MinWords"/> words or
/// <see cref="MinCharacters"/> letters and digits), a "stuck" reply ("I don't know", "no idea") or off topic. Off
/// topic means it shares no term (<see cref="TextAnalyzer.Analyze"/>: stop words dropped, stemmed) with the question,
/// the subject or the learner's earlier responses, and it does not read as reasoning (no digits or maths symbols and
/// none of <see cref="ReasoningWords"/>). Such a response gets a re-prompt for the same stage.</item>
/// <item>The reading level chooses the wording: <c>standard</c> full sentences; <c>simplified</c> shorter sentences
/// and plainer words; <c>easy_read</c> one very short sentence per line. Quoted learner text is clipped to
/// <see cref="QuoteWords"/> words for the level.</item>
/// <item>After the reflect stage the session ends with a summary made only of the learner's own responses.</item>
/// </list>
/// </remarks>
public static partial class ThinkGuideEngine
{
    public const int MinWords = 2;
    public const int MinCharacters = 4;

    /// <summary>A longer reply that says "not sure" usually goes on to reason, so only short ones count as stuck.</summary>
    public const int MaxStuckWords = 6;

    /// <summary>Words that show a learner is reasoning, even when they share no term with the question.</summary>
    public static readonly IReadOnlySet<string> ReasoningWords = new HashSet<string>(StringComparer.Ordinal)
    {
        "because", "so", "therefore", "since", "first", "then", "next", "after", "finally", "if", "means", "mean",
        "think", "thought", "know", "knew", "remember", "learned", "learnt", "learn", "found", "find", "work", "worked",
        "working", "step", "steps", "plan", "try", "tried", "check", "checked", "answer", "result", "compare", "add",
        "adding", "subtract", "minus", "plus", "multiply", "times", "divide", "equal", "equals", "total", "rule", "method",
        "formula", "example", "estimate", "guess", "test", "tested", "reread", "helped", "again", "wrong", "right", "mistake",
    };

    /// <summary>How many words of the learner's text a prompt quotes, by reading level.</summary>
    public static int QuoteWords(ReadingLevel level) => level switch
    {
        ReadingLevel.EasyRead => 8,
        ReadingLevel.Simplified => 15,
        _ => 30,
    };

    /// <summary>The first prompt of a session.</summary>
    public static string FirstPrompt(string question, ReadingLevel level) =>
        Prompt(new ThinkGuideState(question, null, level, ThinkGuideStage.Understand, []));

    /// <summary>The prompt for the state's stage, quoting the question or the response that led into the stage.</summary>
    public static string Prompt(ThinkGuideState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var q = Quote(state.Question, state.Level);
        string Previous() => Quote(state.Responses[(int)state.Stage - 1], state.Level);
        var about = string.IsNullOrWhiteSpace(state.Subject) ? "" : " in " + state.Subject.Trim();
        return (state.Stage, state.Level) switch
        {
            (ThinkGuideStage.Understand, ReadingLevel.EasyRead) => $"Your question is: {q}.\nWhat does it ask you to do?\nUse your own words.",
            (ThinkGuideStage.Understand, ReadingLevel.Simplified) => $"Let's think about your question together: {q}. What is it asking you to do? Say it in your own words.",
            (ThinkGuideStage.Understand, _) => $"Let's work through your question together: {q}. Before solving anything, what is the question asking you to find or do? Put it in your own words.",

            (ThinkGuideStage.WhatYouKnow, ReadingLevel.EasyRead) => $"You said: {Previous()}.\nWhat do you know already?\nWrite one thing that helps.",
            (ThinkGuideStage.WhatYouKnow, ReadingLevel.Simplified) => $"You said: {Previous()}. What do you already know{about} that could help? It can be a fact, a rule or a way of working.",
            (ThinkGuideStage.WhatYouKnow, _) => $"You said the question is asking: {Previous()}. What do you already know{about} that could help? Think of a fact, a rule, a method or a similar problem you have seen before.",

            (ThinkGuideStage.Plan, ReadingLevel.EasyRead) => $"You know: {Previous()}.\nHow can it help?\nWhat will you do first?",
            (ThinkGuideStage.Plan, ReadingLevel.Simplified) => $"You know: {Previous()}. How can that help? What will you do first, and then next?",
            (ThinkGuideStage.Plan, _) => $"You already know: {Previous()}. How could you use that here? What steps will you take, and in what order?",

            (ThinkGuideStage.Try, ReadingLevel.EasyRead) => $"Your plan: {Previous()}.\nNow try it.\nWhat do you get?\nHow did you get it?",
            (ThinkGuideStage.Try, ReadingLevel.Simplified) => $"Your plan: {Previous()}. Now try it. What do you get? Show how you got it.",
            (ThinkGuideStage.Try, _) => $"Your plan is: {Previous()}. Now carry it out and show your working. What do you get, and how did you get it?",

            (ThinkGuideStage.Check, ReadingLevel.EasyRead) => $"You got: {Previous()}.\nHow can you check it?\nDoes it fit your question?",
            (ThinkGuideStage.Check, ReadingLevel.Simplified) => $"You got: {Previous()}. How can you check it? Does it answer your question: {q}?",
            (ThinkGuideStage.Check, _) => $"You worked out: {Previous()}. How could you check that? Does it really answer your question, {q}, and is there another way to test it?",

            (ThinkGuideStage.Reflect, ReadingLevel.EasyRead) => "You checked your work.\nWhat helped you most?\nWhat would you change next time?",
            (ThinkGuideStage.Reflect, ReadingLevel.Simplified) => $"You checked it like this: {Previous()}. What helped you most? What would you change next time?",
            (ThinkGuideStage.Reflect, _) => $"You checked it like this: {Previous()}. Looking back, what helped you most, and what would you do differently next time?",

            (ThinkGuideStage.Summary, ReadingLevel.EasyRead) => "Well done.\nYou did the thinking.\nHere is your summary.",
            (ThinkGuideStage.Summary, ReadingLevel.Simplified) => "Well done. You worked it out yourself. Your summary uses your own words.",
            (ThinkGuideStage.Summary, _) => "Well done: you worked this through yourself. The summary below is your own thinking, in your own words.",
            _ => throw new ArgumentOutOfRangeException(nameof(state), state.Stage, "Unknown stage."),
        };
    }

    /// <summary>Decides what a learner's response does to the session: moves it on, or asks the same stage again.</summary>
    public static ThinkGuideDecision Respond(ThinkGuideState state, string response)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(response);
        if (state.Stage == ThinkGuideStage.Summary)
        {
            throw new InvalidOperationException("A completed session takes no more responses.");
        }

        if (Assess(state, response) is { } reason)
        {
            return new ThinkGuideDecision.RePrompt(reason, RePromptText(state, reason));
        }

        IReadOnlyList<string> responses = [.. state.Responses, Normalise(response)];
        var next = new ThinkGuideState(state.Question, state.Subject, state.Level, state.Stage + 1, responses);
        return new ThinkGuideDecision.Advance(next.Stage, Prompt(next), responses, next.Stage == ThinkGuideStage.Summary ? Summary(next) : null);
    }

    /// <summary>Why a response would not move the session on, or null when it would.</summary>
    public static RePromptReason? Assess(ThinkGuideState state, string response)
    {
        ArgumentNullException.ThrowIfNull(state);
        var text = Normalise(response ?? "");
        if (text.Length == 0)
        {
            return RePromptReason.Empty;
        }

        var words = text.Split(' ');
        if (words.Length <= MaxStuckWords && StuckPattern().IsMatch(text))
        {
            return RePromptReason.Stuck;
        }

        if (words.Length < MinWords || text.Count(char.IsLetterOrDigit) < MinCharacters)
        {
            return RePromptReason.TooShort;
        }

        var vocabulary = new HashSet<string>(TextAnalyzer.Analyze(state.Question), StringComparer.Ordinal);
        vocabulary.UnionWith(TextAnalyzer.Analyze(state.Subject));
        foreach (var earlier in state.Responses)
        {
            vocabulary.UnionWith(TextAnalyzer.Analyze(earlier));
        }

        var onTopic = TextAnalyzer.Analyze(text).Any(vocabulary.Contains);
        var reasoning = text.Any(c => char.IsDigit(c) || c is '+' or '-' or '*' or '/' or '=' or '×' or '÷' or '<' or '>' or '%')
            || words.Any(word => ReasoningWords.Contains(TextAnalyzer.Fold(word)));
        return onTopic || reasoning ? null : RePromptReason.OffTopic;
    }

    /// <summary>The summary of a finished session: the learner's question and each of their responses, labelled by stage.</summary>
    public static string Summary(ThinkGuideState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        string[] labels = state.Level switch
        {
            ReadingLevel.EasyRead => ["You asked", "It asks", "You knew", "Your plan", "You tried", "You checked", "You learned"],
            ReadingLevel.Simplified => ["Your question", "What it asks", "What you knew", "Your plan", "What you tried", "How you checked", "What you learned"],
            _ => ["Your question", "What it asks", "What you already knew", "Your plan", "What you tried", "How you checked", "What you learned"],
        };
        var summary = new StringBuilder(state.Level == ReadingLevel.EasyRead ? "Your thinking:" : "Your thinking, in your own words:");
        // The summary is the learner's own reasoning, so it quotes far more of it than a prompt does.
        var quoteWords = state.Level == ReadingLevel.Standard ? 60 : 40;
        summary.Append('\n').Append("• ").Append(labels[0]).Append(": ").Append(Quote(state.Question, quoteWords));
        for (var i = 0; i < state.Responses.Count && i + 1 < labels.Length; i++)
        {
            summary.Append('\n').Append("• ").Append(labels[i + 1]).Append(": ").Append(Quote(state.Responses[i], quoteWords));
        }

        return summary.ToString();
    }

    /// <summary>The same stage asked again: a short lead-in for the reason, then the stage's question on its own.</summary>
    public static string RePromptText(ThinkGuideState state, RePromptReason reason)
    {
        ArgumentNullException.ThrowIfNull(state);
        var q = Quote(state.Question, state.Level);
        var easy = state.Level == ReadingLevel.EasyRead;
        var lead = (reason, state.Level) switch
        {
            (RePromptReason.Empty, ReadingLevel.EasyRead) => "I did not see an answer.\nTake your time.",
            (RePromptReason.Empty, ReadingLevel.Simplified) => "I did not see an answer. Take your time.",
            (RePromptReason.Empty, _) => "I didn't see an answer there. Take your time.",
            (RePromptReason.TooShort, ReadingLevel.EasyRead) => "Please say a bit more.",
            (RePromptReason.TooShort, ReadingLevel.Simplified) => "Can you say a bit more? Use a full sentence.",
            (RePromptReason.TooShort, _) => "Can you say a little more? A full sentence helps you follow your own thinking.",
            (RePromptReason.Stuck, ReadingLevel.EasyRead) => $"That is OK.\nRead your question again: {q}.",
            (RePromptReason.Stuck, ReadingLevel.Simplified) => $"That is OK. Being stuck is part of thinking. Read your question again: {q}.",
            (RePromptReason.Stuck, _) => $"That's fine: being stuck is part of thinking. Read your question again slowly: {q}. Which words do you recognise?",
            (RePromptReason.OffTopic, ReadingLevel.EasyRead) => $"Back to your question: {q}.",
            (RePromptReason.OffTopic, ReadingLevel.Simplified) => $"That seems to be about something else. Let's go back to your question: {q}.",
            (RePromptReason.OffTopic, _) => $"That seems to be about something else. Let's come back to your question: {q}.",
            _ => throw new ArgumentOutOfRangeException(nameof(reason), reason, "Safeguarding re-prompts use the organisation's message."),
        };
        return lead + (easy ? "\n" : " ") + StageQuestion(state.Stage, state.Level);
    }

    /// <summary>A stage's question without quoted text, for re-prompts.</summary>
    public static string StageQuestion(ThinkGuideStage stage, ReadingLevel level) => (stage, level) switch
    {
        (ThinkGuideStage.Understand, ReadingLevel.EasyRead) => "What does the question ask you to do?",
        (ThinkGuideStage.Understand, ReadingLevel.Simplified) => "What is the question asking you to do?",
        (ThinkGuideStage.Understand, _) => "What is the question asking you to find or do? Put it in your own words.",
        (ThinkGuideStage.WhatYouKnow, ReadingLevel.EasyRead) => "What do you know already?",
        (ThinkGuideStage.WhatYouKnow, ReadingLevel.Simplified) => "What do you already know that could help?",
        (ThinkGuideStage.WhatYouKnow, _) => "What do you already know that could help: a fact, a rule, a method or a similar problem?",
        (ThinkGuideStage.Plan, ReadingLevel.EasyRead) => "What will you do first?",
        (ThinkGuideStage.Plan, ReadingLevel.Simplified) => "What will you do first, and then next?",
        (ThinkGuideStage.Plan, _) => "What steps will you take, and in what order?",
        (ThinkGuideStage.Try, ReadingLevel.EasyRead) => "Try it.\nWhat do you get?",
        (ThinkGuideStage.Try, ReadingLevel.Simplified) => "Try your plan. What do you get, and how?",
        (ThinkGuideStage.Try, _) => "Carry out your plan: what do you get, and how did you get it?",
        (ThinkGuideStage.Check, ReadingLevel.EasyRead) => "How can you check it?",
        (ThinkGuideStage.Check, ReadingLevel.Simplified) => "How can you check your result?",
        (ThinkGuideStage.Check, _) => "How could you check your result against the question?",
        (ThinkGuideStage.Reflect, ReadingLevel.EasyRead) => "What helped you most?",
        (ThinkGuideStage.Reflect, ReadingLevel.Simplified) => "What helped you most? What would you change?",
        (ThinkGuideStage.Reflect, _) => "What helped you most, and what would you do differently next time?",
        _ => throw new ArgumentOutOfRangeException(nameof(stage), stage, "The summary asks nothing."),
    };

    /// <summary>Whitespace collapsed to single spaces, trimmed.</summary>
    public static string Normalise(string text) => Whitespace().Replace(text ?? "", " ").Trim();

    private static string Quote(string text, ReadingLevel level) => Quote(text, QuoteWords(level));

    /// <summary>The learner's words in quotation marks, clipped to a number of words, without closing punctuation.</summary>
    private static string Quote(string text, int maxWords)
    {
        var words = Normalise(text).Split(' ');
        var clipped = string.Join(' ', words.Take(maxWords)).TrimEnd('.', '?', '!', ',', ';', ':');
        return "“" + clipped + (words.Length > maxWords ? "…" : "") + "”";
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    [GeneratedRegex(@"\b(?:i\s*(?:do\s*n[o']?t|dont|don’t)\s+know|(?:i\s+)?dunno|idk|no\s+(?:idea|clue)|not\s+sure|(?:i\s*(?:'?m|am)\s+)?stuck|i\s+(?:can\s*not|can't|can’t|cant)\s+do\s+(?:it|this)|help(?:\s+me)?)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex StuckPattern();
}
